// Routes outside /v1 that the payments module serves: channel notifications (raw bodies, answered in
// each channel's own words), the buyer's H5 pay pages, and the sandbox gateway.
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { AppError } from '../../kernel/errors.js';
import { StrictObject, type ModuleDeps } from '../../http/route-kit.js';
import type { ChannelName } from './channels/adapter.js';
import { yuanToFen } from './channels/yuan-amount.js';
import { channelFromUserAgent } from './counter/user-agent-channel.js';
import { messageHtml, payPageHtml, resultHtml, walletBridgeHtml, wrongAppHtml } from './h5-pages.js';
import { h5OAuthRoutes, h5Payer } from './h5-oauth-routes.js';
import { handleChannelNotification } from './notifications.js';
import { createInAppPayment, loadPayPage, payerOf, sandboxWalletUrl } from './pay-page.js';
import { issuePayerTicket, PAYER_TICKET_COOKIE, payerTicketCookieOptions } from './payer-ticket.js';
import { accountOf, adapterFor, loadPaymentById, operatorOf, queryAndApply, type PaymentsRuntime } from './payment-orders.js';
import { randomBuyerLabel } from './sandbox/index.js';

// The sandbox gateway is served by this very app. When the app is not listening on a socket (tests
// of other modules drive it with inject, CLI one-offs), calls to its own PUBLIC_URL go through
// Fastify's inject instead of the network; when it listens, they are real HTTP like any channel's.
const nullBodyStatuses = new Set([101, 204, 205, 304]);

function headersOf(init: RequestInit | undefined): Record<string, string> {
  return Object.fromEntries(new Headers(init?.headers).entries());
}

export function inProcessFetch(app: FastifyInstance, publicUrl: string): typeof fetch {
  const own = new URL(publicUrl);
  return async (input, init) => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    if (app.server.listening || url.host !== own.host) return fetch(input, init);
    const body = init?.body;
    const response = await app.inject({
      method: (init?.method ?? 'GET') as 'GET',
      url: `${url.pathname}${url.search}`,
      headers: { ...headersOf(init), host: url.host },
      ...(typeof body === 'string' ? { payload: body } : body instanceof URLSearchParams ? { payload: body.toString() } : {}),
    });
    const headers = new Headers();
    for (const [name, value] of Object.entries(response.headers)) {
      if (value === undefined) continue;
      for (const v of Array.isArray(value) ? value : [value]) headers.append(name, String(v));
    }
    return new Response(nullBodyStatuses.has(response.statusCode) ? null : new Uint8Array(response.rawPayload), { status: response.statusCode, headers });
  };
}

const buyerCookie = 'mp_sandbox_buyer';
const Token = Type.String({ minLength: 8, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' });
const MAX_FEN = 100_000_000;

function html(reply: FastifyReply, status: number, body: string): FastifyReply {
  return reply.status(status).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(body);
}

export async function paymentPublicRoutes(instance: FastifyInstance, deps: ModuleDeps, extra: { sandbox?: (app: FastifyInstance, deps: ModuleDeps) => Promise<void> } = {}): Promise<void> {
  const rt: PaymentsRuntime = { db: deps.db, config: deps.config, fetch: inProcessFetch(instance, deps.config.publicUrl) };

  // Channel notifications: the signature covers the exact bytes, so the body is kept as a string.
  await instance.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, body));
    const app = scope.withTypeProvider<TypeBoxTypeProvider>();
    for (const channel of ['wechatpay', 'alipay'] as const) {
      app.post(
        `/notify/${channel}/:accountId`,
        { config: { public: true }, schema: { hide: true, params: StrictObject({ accountId: Type.String({ pattern: '^pca_[0-9a-z]{26}$' }) }) } },
        async (request, reply) => {
          const result = await handleChannelNotification(rt, {
            channel,
            accountId: request.params.accountId,
            headers: request.headers,
            rawBody: typeof request.body === 'string' ? request.body : '',
            now: new Date(),
          });
          if (!result.accepted) request.log.warn({ channel, accountId: request.params.accountId, reason: result.rejection }, 'channel notification rejected');
          return reply.status(result.answer.status).headers(result.answer.headers).send(result.answer.body);
        },
      );
    }
  });

  // The buyer's pages.
  await instance.register(async (scope) => {
    await h5OAuthRoutes(scope, rt);
    scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(typeof body === 'string' ? body : body.toString('utf8'))));
    });
    const app = scope.withTypeProvider<TypeBoxTypeProvider>();

    app.get(
      '/h5/pay/:token',
      { config: { public: true }, schema: { hide: true, params: StrictObject({ token: Token }), querystring: SimulatedWallet } },
      async (request, reply) => {
        const chosen = await payPageChannel(rt, request.params.token, request.headers['user-agent'], request.query.as);
        if (!chosen) return html(reply, 404, messageHtml('收款码无效', '这个收款码不存在或已停用。'));
        const { page, channel, simulated } = chosen;
        if (!channel) return html(reply, 200, wrongAppHtml(page.storeName, await sandboxChoices(rt, page, request.params.token)));
        if (!page.account) return html(reply, 200, messageHtml('暂不支持', `商户暂未开通${channel === 'wechatpay' ? '微信支付' : '支付宝'}，请换一种方式付款。`));
        // Production (and OAuth-configured sandbox) accounts: learn who the buyer is from the wallet first.
        const who = await h5Payer(rt, request, reply, page, channel, request.params.token);
        if (who.kind === 'redirect') return reply.redirect(who.url, 302);
        return html(reply, 200, payPageHtml({ storeName: page.storeName, merchantName: page.merchantName, desk: page.qr.desk, channel, action: payAction(request.params.token, simulated ? channel : null) }));
      },
    );

    app.post(
      '/h5/pay/:token',
      {
        config: { public: true },
        schema: { hide: true, params: StrictObject({ token: Token }), querystring: SimulatedWallet, body: Type.Object({ amount: Type.String({ maxLength: 20 }) }) },
      },
      async (request, reply) => {
        const chosen = await payPageChannel(rt, request.params.token, request.headers['user-agent'], request.query.as);
        if (!chosen) return html(reply, 404, messageHtml('收款码无效', '这个收款码不存在或已停用。'));
        const { page, simulated } = chosen;
        if (!chosen.channel) return html(reply, 200, wrongAppHtml(page.storeName, await sandboxChoices(rt, page, request.params.token)));
        const channel = chosen.channel;
        if (!page.account) return html(reply, 200, messageHtml('暂不支持', '商户暂未开通此支付方式。'));
        const again = (error: string) => html(reply, 400, payPageHtml({ storeName: page.storeName, merchantName: page.merchantName, desk: page.qr.desk, channel, action: payAction(request.params.token, simulated ? channel : null), error, amount: request.body.amount }));
        const parsed = yuanToFen(request.body.amount.trim());
        if (!parsed.ok || parsed.fen < 1 || parsed.fen > MAX_FEN) return again('请输入正确的金额（最多两位小数）');
        const who = await h5Payer(rt, request, reply, page, channel, request.params.token);
        if (who.kind === 'redirect') return reply.redirect(who.url, 303);
        let buyer: string | undefined;
        if (who.kind === 'sandbox_label') {
          buyer = request.cookies[buyerCookie];
          if (!buyer || !/^[A-Za-z0-9_-]{1,64}$/.test(buyer)) {
            buyer = randomBuyerLabel();
            reply.setCookie(buyerCookie, buyer, { path: '/', httpOnly: true, sameSite: 'lax', maxAge: 365 * 24 * 3600 });
          }
        }
        try {
          const payer = who.kind === 'payer' ? who.payer : await payerOf(rt.db, rt, page, buyer ?? '');
          const { payment, payParams } = await createInAppPayment(rt, page, { amountFen: parsed.fen, payer });
          const resultUrl = `${rt.config.publicUrl}/h5/pay/result/${payment.id}`;
          // This browser paid: what comes after (join at payment) asks for this, not the payment id.
          reply.setCookie(PAYER_TICKET_COOKIE, issuePayerTicket(rt.config, payment), payerTicketCookieOptions(rt.config));
          if (page.account.environment === 'sandbox') return reply.redirect(sandboxWalletUrl(rt.config, channel, payParams, buyer, resultUrl), 303);
          return html(reply, 200, walletBridgeHtml(channel, payParams, resultUrl));
        } catch (error) {
          request.log.warn({ err: error }, 'pay page order failed');
          return again(error instanceof AppError ? '暂时无法下单，请稍后再试' : '系统繁忙，请稍后再试');
        }
      },
    );

    app.get(
      '/h5/pay/result/:paymentId',
      { config: { public: true }, schema: { hide: true, params: StrictObject({ paymentId: Type.String({ pattern: '^pay_[0-9a-z]{26}$' }) }) } },
      async (request, reply) => {
        let payment = await loadPaymentById(rt.db, request.params.paymentId);
        // Only pages for orders placed from a store QR: other payments are not the buyer's to look at here.
        if (!payment || payment.kind !== 'in_app') return html(reply, 404, messageHtml('订单不存在', '找不到这笔付款。'));
        if (payment.status === 'paying' && Date.now() - payment.updatedAt.getTime() > 3000) {
          // The wallet has returned but no notification yet: ask the channel (it may be late).
          try {
            const adapter = await adapterFor(rt, await accountOf(rt.db, payment), await operatorOf(rt.db, payment.merchantId));
            payment = (await queryAndApply(rt, adapter, payment, 'pay_page')).payment;
          } catch (error) {
            request.log.warn({ err: error }, 'pay result query failed');
          }
        }
        return html(reply, 200, resultHtml({ paymentId: payment.id, status: payment.status, amountFen: payment.amountFen, storeName: payment.description, channel: payment.channel as ChannelName, paidAt: payment.paidAt }));
      },
    );
  });

  if (extra.sandbox) {
    const sandbox = extra.sandbox;
    await instance.register(async (scope) => sandbox(scope, deps), { prefix: '/sandbox' });
  }
}

// ---- the wallet a browser is: its User-Agent, or (sandbox accounts only) the one it asked to act as ----

/** `?as=wechatpay|alipay`: an ordinary browser acting as a wallet, honoured only for sandbox accounts. */
const SimulatedWallet = Type.Object({ as: Type.Optional(Type.Union([Type.Literal('wechatpay'), Type.Literal('alipay')])) });

async function payPageChannel(rt: PaymentsRuntime, token: string, userAgent: string | undefined, asked: ChannelName | undefined) {
  const detected = channelFromUserAgent(userAgent);
  if (detected !== 'unknown') {
    const page = await loadPayPage(rt.db, token, detected);
    return page && { page, channel: detected as ChannelName | null, simulated: false };
  }
  if (asked) {
    const page = await loadPayPage(rt.db, token, asked);
    if (!page) return null;
    // A real channel only ever sees its own wallet: simulation is for the sandbox (demo, tests).
    if (page.account?.environment === 'sandbox') return { page, channel: asked as ChannelName | null, simulated: true };
    return { page, channel: null, simulated: false };
  }
  const page = await loadPayPage(rt.db, token, null);
  return page && { page, channel: null as ChannelName | null, simulated: false };
}

/** On a desktop browser, the sandbox wallets this store accepts, as links that act as them. */
async function sandboxChoices(rt: PaymentsRuntime, page: { qr: { token: string } }, token: string): Promise<{ channel: ChannelName; url: string }[]> {
  const choices: { channel: ChannelName; url: string }[] = [];
  for (const channel of ['wechatpay', 'alipay'] as const) {
    const withAccount = await loadPayPage(rt.db, token, channel);
    if (withAccount?.account?.environment === 'sandbox') choices.push({ channel, url: payAction(page.qr.token, channel) });
  }
  return choices;
}

function payAction(token: string, simulated: ChannelName | null): string {
  return `/h5/pay/${encodeURIComponent(token)}${simulated ? `?as=${simulated}` : ''}`;
}
