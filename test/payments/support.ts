import { createServer } from 'node:net';
import type { LightMyRequestResponse } from 'fastify';
import { startTestApp, type TestApp } from '../support/app.js';

/** A port nobody listens on right now, so PUBLIC_URL can name it before the app starts. */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface PaymentsTestApp extends TestApp {
  readonly baseUrl: string;
  api(method: 'GET' | 'POST' | 'PUT' | 'PATCH', url: string, body?: unknown, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  sandbox(method: 'GET' | 'POST', url: string, body?: unknown): Promise<LightMyRequestResponse>;
  /** Issues a sandbox 付款码 for a buyer who behaves as told. */
  buyerCode(channel: 'wechatpay' | 'alipay', behaviour: 'pay' | 'confirm_then_pay' | 'confirm_then_cancel' | 'insufficient_funds', pollsBeforeConfirm?: number, buyer?: string): Promise<string>;
}

/**
 * The real app listening on a real port, with PUBLIC_URL pointing at it: the channel adapters call
 * the sandbox gateway over HTTP and the sandbox posts its notifications back to /notify.
 */
export async function startPaymentsApp(overrides: Record<string, string> = {}): Promise<PaymentsTestApp> {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const t = await startTestApp({ PUBLIC_URL: baseUrl, PAYMENTS_POLL_INTERVAL_MS: '20', PAYMENTS_POLL_ATTEMPTS: '6', ...overrides });
  await t.app.listen({ port, host: '127.0.0.1' });
  const auth = { authorization: `Bearer ${t.demo.apiKey}` };
  return Object.assign(t, {
    baseUrl,
    api: (method: 'GET' | 'POST' | 'PUT' | 'PATCH', url: string, body?: unknown, headers: Record<string, string> = {}) =>
      t.app.inject({ method, url, headers: { ...auth, ...headers }, ...(body !== undefined && { payload: body as object }) }),
    sandbox: (method: 'GET' | 'POST', url: string, body?: unknown) => t.app.inject({ method, url: `/sandbox${url}`, ...(body !== undefined && { payload: body as object }) }),
    async buyerCode(channel: 'wechatpay' | 'alipay', behaviour: 'pay' | 'confirm_then_pay' | 'confirm_then_cancel' | 'insufficient_funds', pollsBeforeConfirm = 1, buyer?: string) {
      const response = await t.app.inject({ method: 'POST', url: '/sandbox/buyer-codes', payload: { channel, behaviour, polls_before_confirm: pollsBeforeConfirm, ...(buyer && { buyer }) } });
      if (response.statusCode !== 201) throw new Error(`buyer code: ${response.statusCode} ${response.body}`);
      return (response.json() as { auth_code: string }).auth_code;
    },
  });
}

export const weChatUserAgent = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.50(0x1800322c) NetType/WIFI Language/zh_CN';
export const alipayUserAgent = 'Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/116.0 Mobile Safari/537.36 AlipayClient/10.5.30.8000 Language/zh-Hans';
export const safariUserAgent = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1';

export interface PaymentJson {
  id: string;
  status: string;
  channel: 'wechatpay' | 'alipay';
  kind: string;
  out_trade_no: string;
  amount_fen: number;
  refunded_fen: number;
  code_url: string | null;
  failure_reason: string | null;
  payer_identifiers: { kind: string; value: string }[];
  timeline: { type: string; detail: Record<string, unknown> }[];
  refunds: { id: string; status: string; amount_fen: number }[];
}

export async function getPayment(t: PaymentsTestApp, id: string): Promise<PaymentJson> {
  const response = await t.api('GET', `/v1/payments/${id}`);
  if (response.statusCode !== 200) throw new Error(`payment ${id}: ${response.statusCode} ${response.body}`);
  return response.json() as PaymentJson;
}

/** Domain events of one type about one payment, as the platform's events API lists them. */
export async function eventsFor(t: PaymentsTestApp, type: string, paymentId: string): Promise<{ id: string; payload: Record<string, unknown> }[]> {
  const response = await t.api('GET', `/v1/events?type=${type}&limit=200`);
  const items = (response.json() as { items: { id: string; payload: Record<string, unknown> }[] }).items;
  return items.filter((e) => e.payload.payment_id === paymentId);
}

/** A dynamic-QR payment: the order exists at the channel, nobody has paid yet. */
export async function qrPayment(t: PaymentsTestApp, channel: 'wechatpay' | 'alipay', amount = 1000): Promise<PaymentJson> {
  const response = await t.api('POST', '/v1/payments', { store_id: t.demo.storeIds[0], amount_fen: amount, mode: 'qr', channel });
  if (response.statusCode !== 201) throw new Error(`qr payment: ${response.statusCode} ${response.body}`);
  return response.json() as PaymentJson;
}

/** The buyer scans the code URL and confirms in the sandbox wallet; the sandbox then owes a notification. */
export async function payInWallet(t: PaymentsTestApp, codeUrl: string, buyer = 'alice'): Promise<void> {
  const path = new URL(codeUrl).pathname;
  const response = await t.app.inject({ method: 'POST', url: `${path}/pay`, payload: { buyer } });
  if (response.statusCode >= 400) throw new Error(`wallet pay: ${response.statusCode} ${response.body}`);
}

export async function sandboxNotificationsOf(t: PaymentsTestApp, outTradeNo: string): Promise<{ id: string; kind: string; status: string; attempts: number }[]> {
  const response = await t.sandbox('GET', `/notifications?out_trade_no=${outTradeNo}`);
  return (response.json() as { items: { id: string; kind: string; status: string; attempts: number }[] }).items;
}
