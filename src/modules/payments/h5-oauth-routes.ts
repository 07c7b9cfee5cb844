// The H5 pay page's side of the wallets' web OAuth: send the buyer to the wallet's authorize page
// when we do not know them yet, and take them back at /h5/oauth/{channel}/callback with the code.
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { ChannelName, ChannelPayer } from './channels/adapter.js';
import { messageHtml } from './h5-pages.js';
import { createH5Identity, OAUTH_STATE_COOKIE, OAUTH_STATE_TTL_MS, PAYER_COOKIE, PAYER_TTL_MS, type H5Identity } from './h5-identity.js';
import { loadPayPage, type PayPage } from './pay-page.js';
import { adapterFor, type PaymentsRuntime } from './payment-orders.js';

const identities = new Map<string, H5Identity>();
function identityOf(rt: PaymentsRuntime): H5Identity {
  let identity = identities.get(rt.config.secretKey);
  if (!identity) {
    identity = createH5Identity(rt.config.secretKey);
    identities.set(rt.config.secretKey, identity);
  }
  return identity;
}

const cookieOptions = (rt: PaymentsRuntime, maxAgeMs: number) => ({
  path: '/h5',
  httpOnly: true,
  sameSite: 'lax' as const, // sent on the wallet's top-level redirect back to us
  secure: rt.config.publicUrl.startsWith('https://'),
  maxAge: Math.floor(maxAgeMs / 1000),
});

export const oauthCallbackUrl = (rt: PaymentsRuntime, channel: ChannelName) => `${rt.config.publicUrl}/h5/oauth/${channel}/callback`;

export type H5Payer = { readonly kind: 'payer'; readonly payer: ChannelPayer } | { readonly kind: 'redirect'; readonly url: string } | { readonly kind: 'sandbox_label' };

/**
 * Who pays on this page: the payer the wallet's OAuth told us (cookie), or a redirect to the wallet's
 * authorize page to find out. Accounts without OAuth configured keep the sandbox's buyer-label flow.
 */
export async function h5Payer(rt: PaymentsRuntime, request: FastifyRequest, reply: FastifyReply, page: PayPage, channel: ChannelName, qrToken: string): Promise<H5Payer> {
  const account = page.account;
  if (!account) return { kind: 'sandbox_label' };
  // Unreadable credentials: the order attempt reports it (as before OAuth existed).
  const oauth = await adapterFor(rt, account, page.operatorId).then(
    (adapter) => adapter.walletOAuth,
    () => undefined,
  );
  if (!oauth) return { kind: 'sandbox_label' };
  const identity = identityOf(rt);
  const now = new Date();
  const known = identity.payerFor({ cookie: request.cookies[PAYER_COOKIE], accountId: account.id, now });
  if (known) return { kind: 'payer', payer: known };
  const started = identity.startOAuth({ qrToken, accountId: account.id, channel, now });
  reply.setCookie(OAUTH_STATE_COOKIE, started.cookie, cookieOptions(rt, OAUTH_STATE_TTL_MS));
  return { kind: 'redirect', url: oauth.authorizeUrl({ redirectUri: oauthCallbackUrl(rt, channel), state: started.state }) };
}

export async function h5OAuthRoutes(app: FastifyInstance, rt: PaymentsRuntime): Promise<void> {
  const html = (reply: FastifyReply, status: number, body: string) => reply.status(status).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(body);
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  r.get(
    '/h5/oauth/:channel/callback',
    {
      config: { public: true },
      schema: {
        hide: true,
        params: Type.Object({ channel: Type.Union([Type.Literal('wechatpay'), Type.Literal('alipay')]) }),
        // WeChat: code & state; Alipay: auth_code, state, app_id, source, scope.
        querystring: Type.Object({ code: Type.Optional(Type.String({ maxLength: 256 })), auth_code: Type.Optional(Type.String({ maxLength: 256 })), state: Type.Optional(Type.String({ maxLength: 256 })) }, { additionalProperties: true }),
      },
    },
    async (request, reply) => {
      const { channel } = request.params;
      const identity = identityOf(rt);
      const now = new Date();
      const checked = identity.checkState({ cookie: request.cookies[OAUTH_STATE_COOKIE], state: request.query.state ?? '', channel, now });
      // Single use: whatever happens next, this round trip is over.
      reply.clearCookie(OAUTH_STATE_COOKIE, { path: '/h5' });
      if (!checked.ok) {
        request.log.warn({ channel, reason: checked.reason }, 'h5 oauth: state rejected');
        return html(reply, 400, messageHtml('授权已失效', '请重新扫码付款。'));
      }
      const code = channel === 'wechatpay' ? request.query.code : request.query.auth_code;
      // No code: the buyer declined (only possible for non-silent scopes).
      if (!code) return html(reply, 400, messageHtml('未完成授权', '请重新扫码付款。'));
      const page = await loadPayPage(rt.db, checked.qrToken, channel);
      if (!page?.account || page.account.id !== checked.accountId) return html(reply, 404, messageHtml('收款码无效', '这个收款码不存在或已停用。'));
      let payer: ChannelPayer;
      try {
        const oauth = (await adapterFor(rt, page.account, page.operatorId)).walletOAuth;
        if (!oauth) return html(reply, 404, messageHtml('暂不支持', '商户未开通网页授权。'));
        payer = await oauth.exchangeCode(code);
      } catch (error) {
        request.log.warn({ err: error, channel }, 'h5 oauth: code exchange failed');
        return html(reply, 502, messageHtml('授权失败', '请重新扫码付款。'));
      }
      reply.setCookie(PAYER_COOKIE, identity.payerCookie({ accountId: page.account.id, payer, now }), cookieOptions(rt, PAYER_TTL_MS));
      return reply.redirect(`/h5/pay/${encodeURIComponent(checked.qrToken)}`, 303);
    },
  );
}
