// The sandbox's web OAuth, faithful to the wallets' own: WeChat snsapi_base
// (/connect/oauth2/authorize, then /sns/oauth2/access_token with appid + AppSecret) and Alipay
// auth_base (/oauth2/publicAppAuthorize.htm, then alipay.system.oauth.token on the gateway). The real
// wallets are silent for a base scope; the sandbox shows a page where the tester picks who the buyer
// is, then redirects back with the code and state. Codes are single use and live five minutes.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import { and, desc, eq, gt, isNull } from 'drizzle-orm';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Db } from '../../../db/client.js';
import { alipayOpenId, alipayUserId, randomBuyerLabel, wechatOpenid } from './buyer-identity.js';
import { sandboxSecretBox } from './sandbox-keys.js';
import { sandboxMerchants, sandboxOAuthCodes } from './schema.js';

const CODE_TTL_MS = 5 * 60_000;
const tags = ['sandbox'];
const Html = Type.String({ description: 'text/html' });

type OAuthChannel = 'wechatpay' | 'alipay';

export async function issueOAuthCode(
  db: Db,
  input: { channel: OAuthChannel; appId: string; redirectUri: string; scope: string; buyer: string; now: Date },
): Promise<string> {
  const code = randomBytes(16).toString('hex');
  const openId = input.channel === 'wechatpay' ? wechatOpenid(input.appId, input.buyer) : alipayOpenId(input.appId, input.buyer);
  await db.insert(sandboxOAuthCodes).values({
    code,
    channel: input.channel,
    appId: input.appId,
    redirectUri: input.redirectUri,
    scope: input.scope,
    buyer: input.buyer,
    openId,
    userId: input.channel === 'alipay' ? alipayUserId(input.buyer) : null,
    expiresAt: new Date(input.now.getTime() + CODE_TTL_MS),
    createdAt: input.now,
  });
  return code;
}

export type Redemption = { ok: true; row: typeof sandboxOAuthCodes.$inferSelect } | { ok: false; reason: 'invalid' | 'used' };

/** Uses a code once: a second redemption (or one after five minutes, or by another app) fails. */
export async function redeemOAuthCode(db: Db, channel: OAuthChannel, appId: string, code: string, now: Date): Promise<Redemption> {
  const [row] = await db
    .update(sandboxOAuthCodes)
    .set({ usedAt: now })
    .where(and(eq(sandboxOAuthCodes.code, code), eq(sandboxOAuthCodes.channel, channel), eq(sandboxOAuthCodes.appId, appId), isNull(sandboxOAuthCodes.usedAt), gt(sandboxOAuthCodes.expiresAt, now)))
    .returning();
  if (row) return { ok: true, row };
  const [known] = await db.select().from(sandboxOAuthCodes).where(and(eq(sandboxOAuthCodes.code, code), eq(sandboxOAuthCodes.channel, channel)));
  return { ok: false, reason: known?.usedAt ? 'used' : 'invalid' };
}

/**
 * The buyer label behind an identifier the sandbox handed out by OAuth, so that an order naming that
 * payer (JSAPI openid, trade.create buyer_id / buyer_open_id) pays as that same buyer.
 */
export async function buyerOfOAuthPayer(db: Db, channel: OAuthChannel, payer: { openId?: string | undefined; userId?: string | undefined }): Promise<string | null> {
  const where = payer.userId ? eq(sandboxOAuthCodes.userId, payer.userId) : payer.openId ? eq(sandboxOAuthCodes.openId, payer.openId) : undefined;
  if (!where) return null;
  const [row] = await db.select({ buyer: sandboxOAuthCodes.buyer }).from(sandboxOAuthCodes).where(and(eq(sandboxOAuthCodes.channel, channel), where)).orderBy(desc(sandboxOAuthCodes.createdAt)).limit(1);
  return row?.buyer ?? null;
}

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${String(char.charCodeAt(0))};`);
}

function page(title: string, body: string, colour: string): string {
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(title)}</title>
<style>body{margin:0;font-family:-apple-system,"PingFang SC","Noto Sans CJK SC",sans-serif;background:#f5f6f7}main{max-width:420px;margin:0 auto;padding:24px 16px}
.card{background:#fff;border-radius:12px;padding:20px}h1{font-size:18px}p{color:#666;font-size:14px}input{width:100%;box-sizing:border-box;font-size:16px;padding:10px;border:1px solid #ddd;border-radius:8px}
button{width:100%;margin-top:16px;padding:14px;border:0;border-radius:8px;font-size:17px;color:#fff;background:${colour}}.error{color:#d4380d}</style></head>
<body><main><div class="card">${body}</div></main></body></html>`;
}

function errorPage(channel: OAuthChannel, message: string): string {
  return page('授权失败', `<h1>授权失败</h1><p class="error" data-testid="oauth-error">${escape(message)}</p>`, channel === 'wechatpay' ? '#07c160' : '#1677ff');
}

function confirmPage(channel: OAuthChannel, action: string, fields: Record<string, string>, buyer: string, appName: string): string {
  const hidden = Object.entries(fields)
    .map(([name, value]) => `<input type="hidden" name="${escape(name)}" value="${escape(value)}">`)
    .join('');
  const wallet = channel === 'wechatpay' ? '微信' : '支付宝';
  return page(
    `${wallet}授权`,
    `<h1>${escape(appName)} 申请获取你的${wallet}身份</h1>
<p>沙箱：选择以哪位买家的身份继续（同一标签就是同一个人）。真实${wallet}对静默授权不显示此页。</p>
<form method="post" action="${escape(action)}">${hidden}
<label for="buyer">买家标签</label><input id="buyer" name="buyer" value="${escape(buyer)}" pattern="[A-Za-z0-9_-]{1,64}" required>
<button type="submit" data-testid="oauth-confirm">确认</button></form>`,
    channel === 'wechatpay' ? '#07c160' : '#1677ff',
  );
}

const Label = Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' });

export async function sandboxOAuthRoutes(scope: FastifyInstance, deps: { db: Db; secretKey: string; publicUrl: string }): Promise<void> {
  const { db } = deps;
  const s = scope.withTypeProvider<TypeBoxTypeProvider>();
  // As the wallets check the registered callback domain: only this server may receive codes.
  const allowedRedirect = (request: FastifyRequest, uri: string): boolean => {
    try {
      const target = new URL(uri);
      return (target.protocol === 'http:' || target.protocol === 'https:') && [request.host, new URL(deps.publicUrl).host].includes(target.host);
    } catch {
      return false;
    }
  };
  const defaultBuyer = (request: FastifyRequest, asked: string | undefined) => {
    const cookie = request.cookies.mp_sandbox_buyer;
    return asked ?? (cookie && /^[A-Za-z0-9_-]{1,64}$/.test(cookie) ? cookie : randomBuyerLabel());
  };

  // ---- WeChat snsapi_base ----
  const WechatQuery = Type.Object({
    appid: Type.String({ maxLength: 64 }),
    redirect_uri: Type.String({ maxLength: 2000 }),
    response_type: Type.String({ maxLength: 16 }),
    scope: Type.String({ maxLength: 32 }),
    state: Type.Optional(Type.String({ maxLength: 128 })),
    buyer: Type.Optional(Label),
  });
  const wechatApp = async (appid: string) => {
    const [row] = await db.select().from(sandboxMerchants).where(and(eq(sandboxMerchants.channel, 'wechatpay'), eq(sandboxMerchants.appId, appid)));
    return row?.sealedAppSecret ? row : undefined;
  };
  const checkWechat = async (request: FastifyRequest, query: { appid: string; redirect_uri: string; response_type: string; scope: string }) => {
    if (!(await wechatApp(query.appid))) return 'appid 参数错误（沙箱中没有开通网页授权的应用）';
    if (query.response_type !== 'code') return 'response_type 参数错误';
    if (query.scope !== 'snsapi_base' && query.scope !== 'snsapi_userinfo') return 'scope 参数错误';
    if (!allowedRedirect(request, query.redirect_uri)) return 'redirect_uri 参数错误（回调域名与授权域名不一致）';
    return undefined;
  };
  s.get(
    '/wechat/connect/oauth2/authorize',
    { config: { public: true }, schema: { tags, summary: 'WeChat web OAuth authorize (the sandbox shows a page to pick the buyer)', querystring: WechatQuery, response: { 200: Html, 400: Html } } },
    async (request, reply) => {
      const problem = await checkWechat(request, request.query);
      if (problem) return reply.code(400).type('text/html; charset=utf-8').send(errorPage('wechatpay', problem));
      const { buyer: asked, ...fields } = request.query;
      const app = await wechatApp(request.query.appid);
      return reply.type('text/html; charset=utf-8').send(confirmPage('wechatpay', request.url.split('?')[0] ?? '', { ...fields, state: fields.state ?? '' }, defaultBuyer(request, asked), app?.name ?? ''));
    },
  );
  s.post(
    '/wechat/connect/oauth2/authorize',
    { config: { public: true }, schema: { tags, summary: 'The tester confirms the buyer: redirect back with code and state', body: Type.Intersect([WechatQuery, Type.Object({ buyer: Label })]), response: { 200: Type.String({ description: 'not sent: success is the 302 back to redirect_uri' }), 302: Type.Null(), 400: Html } } },
    async (request, reply) => {
      const problem = await checkWechat(request, request.body);
      if (problem) return reply.code(400).type('text/html; charset=utf-8').send(errorPage('wechatpay', problem));
      const code = await issueOAuthCode(db, { channel: 'wechatpay', appId: request.body.appid, redirectUri: request.body.redirect_uri, scope: request.body.scope, buyer: request.body.buyer, now: new Date() });
      const target = new URL(request.body.redirect_uri);
      target.searchParams.set('code', code);
      target.searchParams.set('state', request.body.state ?? '');
      return reply.redirect(target.toString(), 302);
    },
  );
  s.get(
    '/wechat/sns/oauth2/access_token',
    {
      config: { public: true },
      schema: {
        tags,
        summary: 'WeChat web OAuth: code → openid (errcode 40029 invalid code, 40163 code been used, 40125 invalid appsecret)',
        querystring: Type.Object({ appid: Type.String({ maxLength: 64 }), secret: Type.String({ maxLength: 64 }), code: Type.String({ maxLength: 128 }), grant_type: Type.String({ maxLength: 32 }) }),
        response: { 200: Type.Object({}, { additionalProperties: true }) },
      },
    },
    async (request) => {
      const { appid, secret, code, grant_type: grantType } = request.query;
      const app = await wechatApp(appid);
      if (!app?.sealedAppSecret) return { errcode: 40013, errmsg: 'invalid appid' };
      const expected = Buffer.from(sandboxSecretBox(deps.secretKey).open(app.sealedAppSecret));
      const given = Buffer.from(secret);
      if (expected.length !== given.length || !timingSafeEqual(expected, given)) return { errcode: 40125, errmsg: 'invalid appsecret' };
      if (grantType !== 'authorization_code') return { errcode: 40002, errmsg: 'invalid grant_type' };
      const redeemed = await redeemOAuthCode(db, 'wechatpay', appid, code, new Date());
      if (!redeemed.ok) return redeemed.reason === 'used' ? { errcode: 40163, errmsg: 'code been used' } : { errcode: 40029, errmsg: 'invalid code' };
      return { access_token: randomBytes(32).toString('base64url'), expires_in: 7200, refresh_token: randomBytes(32).toString('base64url'), openid: redeemed.row.openId, scope: redeemed.row.scope, is_snapshotuser: 0 };
    },
  );

  // ---- Alipay auth_base ----
  const AlipayQuery = Type.Object({
    app_id: Type.String({ maxLength: 64 }),
    scope: Type.String({ maxLength: 64 }),
    redirect_uri: Type.String({ maxLength: 2000 }),
    state: Type.Optional(Type.String({ maxLength: 256 })),
    buyer: Type.Optional(Label),
  });
  const alipayApp = async (appId: string) => {
    const [row] = await db.select().from(sandboxMerchants).where(and(eq(sandboxMerchants.channel, 'alipay'), eq(sandboxMerchants.appId, appId))).limit(1);
    return row;
  };
  const checkAlipay = async (request: FastifyRequest, query: { app_id: string; scope: string; redirect_uri: string }) => {
    if (!(await alipayApp(query.app_id))) return '应用不存在（app_id 无效）';
    if (!query.scope.split(',').every((scope) => scope === 'auth_base' || scope === 'auth_user')) return 'scope 参数错误';
    if (!allowedRedirect(request, query.redirect_uri)) return 'redirect_uri 与应用配置的授权回调地址不一致';
    return undefined;
  };
  s.get(
    '/alipay/oauth2/publicAppAuthorize.htm',
    { config: { public: true }, schema: { tags, summary: 'Alipay web OAuth authorize (the sandbox shows a page to pick the buyer)', querystring: AlipayQuery, response: { 200: Html, 400: Html } } },
    async (request, reply) => {
      const problem = await checkAlipay(request, request.query);
      if (problem) return reply.code(400).type('text/html; charset=utf-8').send(errorPage('alipay', problem));
      const { buyer: asked, ...fields } = request.query;
      const app = await alipayApp(request.query.app_id);
      return reply.type('text/html; charset=utf-8').send(confirmPage('alipay', request.url.split('?')[0] ?? '', { ...fields, state: fields.state ?? '' }, defaultBuyer(request, asked), app?.name ?? ''));
    },
  );
  s.post(
    '/alipay/oauth2/publicAppAuthorize.htm',
    { config: { public: true }, schema: { tags, summary: 'The tester confirms the buyer: redirect back with auth_code and state', body: Type.Intersect([AlipayQuery, Type.Object({ buyer: Label })]), response: { 200: Type.String({ description: 'not sent: success is the 302 back to redirect_uri' }), 302: Type.Null(), 400: Html } } },
    async (request, reply) => {
      const problem = await checkAlipay(request, request.body);
      if (problem) return reply.code(400).type('text/html; charset=utf-8').send(errorPage('alipay', problem));
      const code = await issueOAuthCode(db, { channel: 'alipay', appId: request.body.app_id, redirectUri: request.body.redirect_uri, scope: request.body.scope, buyer: request.body.buyer, now: new Date() });
      const target = new URL(request.body.redirect_uri);
      for (const [name, value] of Object.entries({ app_id: request.body.app_id, source: 'alipay_wallet', scope: request.body.scope, auth_code: code, state: request.body.state ?? '' })) target.searchParams.set(name, value);
      return reply.redirect(target.toString(), 302);
    },
  );
}

/** alipay.system.oauth.token on the sandbox gateway (grant_type=authorization_code). */
export async function alipayOAuthToken(db: Db, appId: string, params: Record<string, string>, now: Date): Promise<{ responseKey: string; node: Record<string, unknown> }> {
  const invalid = (subCode: string, subMsg: string) => ({ responseKey: 'error_response', node: { code: '40002', msg: 'Invalid Arguments', sub_code: subCode, sub_msg: subMsg } });
  if (params.grant_type !== 'authorization_code') return invalid('isv.grant-type-invalid', 'grant_type 参数不正确');
  const redeemed = await redeemOAuthCode(db, 'alipay', appId, params.code ?? '', now);
  if (!redeemed.ok) return invalid('isv.code-invalid', redeemed.reason === 'used' ? '授权码code已使用' : '授权码code无效');
  const auth = now.toISOString().replace('T', ' ').slice(0, 19);
  return {
    responseKey: 'alipay_system_oauth_token_response',
    node: { user_id: redeemed.row.userId, open_id: redeemed.row.openId, access_token: `authbseB${randomBytes(16).toString('hex')}`, expires_in: 1296000, refresh_token: `authbseB${randomBytes(16).toString('hex')}`, re_expires_in: 2592000, auth_start: auth },
  };
}
