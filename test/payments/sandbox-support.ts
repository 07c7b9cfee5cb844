// The sandbox over real HTTP: the app listening on a random port, and a merchant notify endpoint
// that records what the sandbox posts and answers as a test tells it to.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ChannelCredentials } from '../../src/modules/payments/channels/channel-credentials.js';
import { formatShanghaiDateTime } from '../../src/modules/payments/channels/shanghai-time.js';
import { startTestApp, type TestApp } from '../support/app.js';

export interface ReceivedNotification {
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export interface Receiver {
  readonly url: string;
  readonly received: ReceivedNotification[];
  /** How the merchant answers; the default acknowledges as each channel expects. */
  answer: (request: ReceivedNotification) => Promise<{ status: number; body: string; headers?: Record<string, string> }> | { status: number; body: string; headers?: Record<string, string> };
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const received: ReceivedNotification[] = [];
  const receiver: Receiver = {
    url: '',
    received,
    answer: (request) => (String(request.headers['content-type']).includes('json') ? { status: 204, body: '' } : { status: 200, body: 'success' }),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const notification = { headers: request.headers, body: Buffer.concat(chunks).toString('utf8') };
      received.push(notification);
      void Promise.resolve(receiver.answer(notification)).then((answer) => {
        response.writeHead(answer.status, answer.headers ?? {});
        response.end(answer.body);
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  Object.assign(receiver, { url: `http://127.0.0.1:${String(port)}/notify` });
  return receiver;
}

export interface SandboxHarness {
  readonly t: TestApp;
  readonly base: string;
  credentials<C extends ChannelCredentials['channel']>(channel: C, query?: Record<string, string>): Promise<Extract<ChannelCredentials, { channel: C }>>;
  buyerCode(channel: 'wechatpay' | 'alipay', behaviour: string, extra?: Record<string, unknown>): Promise<{ auth_code: string; buyer: string }>;
  /** The buyer confirms on the wallet page a code URL points to. */
  pay(codeUrl: string, buyer: string): Promise<Response>;
  notifications(outTradeNo: string): Promise<{ id: string; kind: string; status: string; attempts: number; next_attempt_at: string | null }[]>;
  close(): Promise<void>;
}

export async function startSandbox(): Promise<SandboxHarness> {
  const t = await startTestApp();
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = t.app.server.address() as AddressInfo;
  const base = `http://127.0.0.1:${String(port)}`;
  const json = async <T>(response: Response): Promise<T> => {
    if (!response.ok) throw new Error(`${response.url}: ${String(response.status)} ${await response.text()}`);
    return (await response.json()) as T;
  };
  return {
    t,
    base,
    async credentials(channel, query = {}) {
      return json(await fetch(`${base}/sandbox/credentials/${channel}?${new URLSearchParams(query).toString()}`));
    },
    async buyerCode(channel, behaviour, extra = {}) {
      return json(await fetch(`${base}/sandbox/buyer-codes`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ channel, behaviour, ...extra }) }));
    },
    async pay(codeUrl, buyer) {
      const url = new URL(codeUrl);
      return fetch(`${url.origin}${url.pathname}/pay`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ buyer }).toString() });
    },
    async notifications(outTradeNo) {
      const body = await json<{ items: { id: string; kind: string; status: string; attempts: number; next_attempt_at: string | null }[] }>(await fetch(`${base}/sandbox/notifications?out_trade_no=${encodeURIComponent(outTradeNo)}`));
      return body.items;
    },
    close: () => t.close(),
  };
}

/** Today in Beijing, as bills name their day. */
export function shanghaiToday(now = new Date()): string {
  return formatShanghaiDateTime(now).slice(0, 10);
}

let counter = 0;
/** A fresh out_trade_no (6–32 characters). */
export function tradeNo(prefix: string): string {
  counter += 1;
  return `${prefix}${Date.now().toString(36)}${String(counter).padStart(4, '0')}`;
}
