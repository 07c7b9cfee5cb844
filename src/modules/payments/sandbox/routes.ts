// The sandbox gateway as a Fastify plugin, mounted at /sandbox by the payments module. Public: a real
// channel authenticates callers by their signatures, not by our sessions, and so does the sandbox.
import type { IncomingMessage } from 'node:http';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { commonErrors } from '../../../kernel/errors.js';
import { errors, NoBody, StrictObject, type ModuleDeps } from '../../../http/route-kit.js';
import { buildSignedAlipayResponse } from '../channels/alipay-signature.js';
import { ChannelCredentials } from '../channels/channel-credentials.js';
import { newWechatpayNonce, signWechatpayResponse } from '../channels/wechatpay-signature.js';
import { newAuthCode, randomBuyerLabel } from './buyer-identity.js';
import { handleAlipay, readAlipayBillToken } from './alipay-gateway.js';
import { sandboxOAuthRoutes } from './oauth.js';
import { renderAlipayBillArchive } from './sandbox-bills.js';
import { lateSuccessRoute } from './late-success.js';
import { rotateSandboxPlatformCertificate, sandboxKeysFor } from './sandbox-keys.js';
import { merchantById, registerAlipayApp, registerWechatpayMerchant } from './sandbox-merchants.js';
import { listNotifications, registerSandboxSecret, replayNotification, wechatSigningKey } from './sandbox-notifications.js';
import { findTradeByToken, markPaid, markScanned, transition, type SandboxContext } from './sandbox-trades.js';
import { sandboxBuyerCodes } from './schema.js';
import { renderWalletPage, type WalletView } from './wallet-page.js';
import { handleWechatpay, type WechatpayAnswer, type WechatpayOperation } from './wechatpay-gateway.js';

const tags = ['sandbox'];
const Channel = Type.Union([Type.Literal('wechatpay'), Type.Literal('alipay')]);
const AnyJson = Type.Object({}, { additionalProperties: true, description: "the channel's own JSON" });
const WechatError = Type.Object({ code: Type.String(), message: Type.String() }, { description: 'WeChat Pay error body' });
const Html = Type.String({ description: 'text/html' });

// The exact bytes the merchant signed, kept beside the parsed body.
const rawBodies = new WeakMap<IncomingMessage, string>();

function rawBodyOf(request: FastifyRequest): string {
  return rawBodies.get(request.raw) ?? '';
}

function originOf(request: FastifyRequest): string {
  return `${request.protocol}://${request.host}`;
}

function pathWithQueryOf(request: FastifyRequest): string {
  return request.raw.url ?? request.url;
}

export async function sandboxRoutes(app: FastifyInstance, deps: ModuleDeps): Promise<void> {
  const { db, config } = deps;
  registerSandboxSecret(db, config.secretKey);
  const context = async (): Promise<SandboxContext> => ({ db, secretKey: config.secretKey, keys: await sandboxKeysFor(db, config.secretKey) });
  const mount = app.prefix; // `/sandbox` where the payments module mounts it
  const baseOf = (request: FastifyRequest) => `${originOf(request)}${mount}`;
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get(
    '/credentials/:channel',
    {
      config: { public: true },
      schema: {
        tags,
        summary: 'Register a new sandbox merchant and get its ready-to-use channel credentials (private key included)',
        params: Type.Object({ channel: Channel }),
        querystring: Type.Object({
          mode: Type.Optional(Type.Union([Type.Literal('direct'), Type.Literal('service_provider'), Type.Literal('isv')], { description: 'direct (default), service_provider (WeChat) or isv (Alipay)' })),
          verification: Type.Optional(Type.Union([Type.Literal('public_key'), Type.Literal('platform_certificate')], { description: 'WeChat only; default public_key' })),
          oauth: Type.Optional(Type.Boolean({ description: 'also set up web OAuth for the H5 pay page (WeChat: an AppSecret for the app; Alipay: auth_base)' })),
          merchant_name: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
        }),
        response: { 200: ChannelCredentials, ...errors() },
      },
    },
    async (request) => {
      const { channel } = request.params;
      const { mode, verification, merchant_name: name = '沙箱商户', oauth = false } = request.query;
      const keys = (await context()).keys;
      if (channel === 'wechatpay') {
        if (mode === 'isv') throw commonErrors.make('validation_failed', 'WeChat Pay modes are direct and service_provider');
        return registerWechatpayMerchant(db, config.secretKey, keys, { mode: mode ?? 'direct', verification: verification ?? 'public_key', name, baseUrl: `${baseOf(request)}/wechatpay`, oauthBaseUrl: oauth ? `${baseOf(request)}/wechat` : undefined });
      }
      if (mode === 'service_provider' || verification !== undefined) throw commonErrors.make('validation_failed', 'Alipay modes are direct and isv; verification is WeChat only');
      return registerAlipayApp(db, keys, { mode: mode ?? 'direct', name, gatewayUrl: `${baseOf(request)}/alipay/gateway.do`, oauthAuthorizeUrl: oauth ? `${baseOf(request)}/alipay/oauth2/publicAppAuthorize.htm` : undefined });
    },
  );

  r.get(
    '/keys',
    {
      config: { public: true },
      schema: {
        tags,
        summary: "The sandbox channels' public keys, to configure credentials by hand",
        response: {
          200: Type.Object({
            wechatpay: Type.Object({
              public_key_id: Type.String(),
              public_key: Type.String(),
              platform_certificates: Type.Array(Type.Object({ serial_no: Type.String(), public_key: Type.String() })),
            }),
            alipay: Type.Object({ alipay_public_key: Type.String() }),
          }),
        },
      },
    },
    async () => {
      const { keys } = await context();
      return {
        wechatpay: {
          public_key_id: keys.wechatpay_public_key.serial,
          public_key: keys.wechatpay_public_key.publicKeyPem,
          platform_certificates: keys.wechatpayPlatformCertificates.map((certificate) => ({ serial_no: certificate.serial, public_key: certificate.certificatePem })),
        },
        alipay: { alipay_public_key: keys.alipay.publicKeyPem },
      };
    },
  );

  r.post(
    '/keys/wechatpay-platform-certificate/rotate',
    {
      config: { public: true },
      schema: {
        tags,
        summary: 'Issue a new WeChat Pay platform certificate and sign with it from now on (older ones stay listed and valid)',
        body: NoBody,
        response: { 201: Type.Object({ serial_no: Type.String(), effective_time: Type.String(), expire_time: Type.String() }) },
      },
    },
    async (_request, reply) => {
      const keys = await rotateSandboxPlatformCertificate(db, config.secretKey, new Date());
      const current = keys.wechatpay_platform_certificate;
      return reply.code(201).send({ serial_no: current.serial, effective_time: current.notBefore.toISOString(), expire_time: current.notAfter.toISOString() });
    },
  );

  lateSuccessRoute(app, context);

  r.post(
    '/buyer-codes',
    {
      config: { public: true },
      schema: {
        tags,
        summary: 'Issue a 付款码 for a test buyer, with how the buyer will behave at the counter',
        body: StrictObject({
          channel: Channel,
          buyer: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'the same label pays as the same person' })),
          behaviour: Type.Union([Type.Literal('pay'), Type.Literal('confirm_then_pay'), Type.Literal('confirm_then_cancel'), Type.Literal('insufficient_funds')]),
          polls_before_confirm: Type.Optional(Type.Integer({ minimum: 0, maximum: 100, default: 1, description: 'queries that still see USERPAYING/10003 before the buyer decides' })),
        }),
        response: { 201: Type.Object({ auth_code: Type.String(), channel: Channel, buyer: Type.String(), behaviour: Type.String() }), ...errors() },
      },
    },
    async (request, reply) => {
      const { channel, behaviour } = request.body;
      const buyer = request.body.buyer ?? randomBuyerLabel();
      const code = newAuthCode(channel);
      await db.insert(sandboxBuyerCodes).values({ code, channel, buyer, behaviour, pollsBeforeConfirm: request.body.polls_before_confirm ?? 1 });
      return reply.code(201).send({ auth_code: code, channel, buyer, behaviour });
    },
  );

  const NotificationView = Type.Object({
    id: Type.String(),
    channel: Type.String(),
    kind: Type.String(),
    out_trade_no: Type.String(),
    url: Type.String(),
    status: Type.String(),
    attempts: Type.Integer(),
    next_attempt_at: Type.Union([Type.String(), Type.Null()]),
    attempt_log: Type.Array(Type.Object({}, { additionalProperties: true })),
  });

  r.get(
    '/notifications',
    {
      config: { public: true },
      schema: {
        tags,
        summary: 'Notifications the sandbox has sent or owes, with every attempt',
        querystring: Type.Object({ out_trade_no: Type.Optional(Type.String({ maxLength: 64 })), channel: Type.Optional(Channel) }),
        response: { 200: Type.Object({ items: Type.Array(NotificationView) }) },
      },
    },
    async (request) => {
      const rows = await listNotifications(db, { outTradeNo: request.query.out_trade_no, channel: request.query.channel });
      return {
        items: rows.map((row) => ({
          id: row.id,
          channel: row.channel,
          kind: row.kind,
          out_trade_no: row.outTradeNo,
          url: row.url,
          status: row.status,
          attempts: row.attempts,
          next_attempt_at: row.nextAttemptAt ? row.nextAttemptAt.toISOString() : null,
          attempt_log: row.attemptLog as Record<string, unknown>[],
        })),
      };
    },
  );

  r.post(
    '/notifications/:id/replay',
    {
      config: { public: true },
      schema: {
        tags,
        summary: 'Send a notification again, many times at once and optionally tampered, to test the receiver',
        params: Type.Object({ id: Type.String({ pattern: '^sbn_[0-9a-f]{20}$' }) }),
        body: NoBody,
        querystring: Type.Object({
          times: Type.Integer({ minimum: 1, maximum: 100, default: 1 }),
          tamper: Type.Union([Type.Literal('none'), Type.Literal('body'), Type.Literal('tag'), Type.Literal('signature'), Type.Literal('stale')], { default: 'none' }),
        }),
        response: { 200: Type.Object({ results: Type.Array(Type.Object({ status: Type.Union([Type.Integer(), Type.Null()]), body: Type.String() })) }), ...errors() },
      },
    },
    async (request) => {
      const results = await replayNotification(await context(), request.params.id, request.query.times, request.query.tamper, new Date());
      if (!results) throw commonErrors.make('not_found', 'no such sandbox notification');
      return { results };
    },
  );

  // ---- WeChat Pay API v3 ----------------------------------------------------------------------
  await app.register(
    async (scope) => {
      // Signatures cover the body as sent, so it is kept as text before it is parsed.
      scope.removeContentTypeParser('application/json');
      scope.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
        const text = typeof body === 'string' ? body : body.toString('utf8');
        rawBodies.set(request.raw, text);
        if (text === '') return done(null, {});
        try {
          done(null, JSON.parse(text));
        } catch {
          done(Object.assign(new Error('body is not JSON'), { statusCode: 400 }), undefined);
        }
      });

      const send = async (reply: FastifyReply, answer: WechatpayAnswer) => {
        if (answer.file !== undefined) return reply.code(answer.status).type(typeof answer.file === 'string' ? 'text/plain; charset=utf-8' : 'application/octet-stream').send(answer.file);
        const { keys } = await context();
        const key = wechatSigningKey(keys, answer.merchant ?? { verification: 'public_key' });
        const text = answer.body === undefined ? '' : JSON.stringify(answer.body);
        const signed = signWechatpayResponse({ timestamp: Math.floor(Date.now() / 1000), nonce: newWechatpayNonce(), body: text, serial: key.serial, privateKey: key.privateKey });
        reply.code(answer.status).headers({ ...signed, 'Request-ID': reply.request.id });
        if (text === '') return reply.send();
        return reply.type('application/json; charset=utf-8').send(text);
      };
      // Bad JSON or a body of the wrong shape is WeChat's PARAM_ERROR, signed like any answer.
      scope.setErrorHandler(async (error, _request, reply) => send(reply, { status: 400, body: { code: 'PARAM_ERROR', message: (error instanceof Error ? error.message : String(error)).slice(0, 200) } }));

      const run = async (request: FastifyRequest, reply: FastifyReply, operation: WechatpayOperation) => {
        const answer = await handleWechatpay(await context(), operation, {
          method: request.method,
          pathWithQuery: pathWithQueryOf(request),
          rawBody: rawBodyOf(request),
          authorization: request.headers.authorization,
          body: (request.body ?? {}) as Record<string, unknown>,
          query: request.query as Record<string, string | undefined>,
          sandboxBase: baseOf(request),
          now: new Date(),
        });
        return send(reply, answer);
      };
      const s = scope.withTypeProvider<TypeBoxTypeProvider>();
      const wechatResponses = { 200: AnyJson, 202: WechatError, 204: Type.Null(), 400: WechatError, 401: WechatError, 403: WechatError, 404: WechatError };
      const TradeType = Type.Union([Type.Literal('native'), Type.Literal('jsapi'), Type.Literal('codepay')]);
      const OutTradeNo = Type.String({ minLength: 1, maxLength: 64 });
      const Body = Type.Object({}, { additionalProperties: true, description: 'as WeChat Pay API v3 documents it' });

      for (const partner of [false, true]) {
        const base = partner ? '/v3/pay/partner/transactions' : '/v3/pay/transactions';
        const common = { config: { public: true } } as const;
        s.post(`${base}/:trade_type`, { ...common, schema: { tags, summary: `WeChat Pay ${partner ? '服务商 ' : ''}order (native/jsapi/codepay)`, params: Type.Object({ trade_type: TradeType }), body: Body, response: wechatResponses } }, (request, reply) =>
          run(request, reply, { op: 'order', partner, tradeType: request.params.trade_type }),
        );
        s.get(
          `${base}/out-trade-no/:out_trade_no`,
          {
            ...common,
            schema: {
              tags,
              summary: `WeChat Pay ${partner ? '服务商 ' : ''}query by out_trade_no`,
              params: Type.Object({ out_trade_no: OutTradeNo }),
              querystring: partner ? Type.Object({ sp_mchid: Type.String(), sub_mchid: Type.String() }) : Type.Object({ mchid: Type.String() }),
              response: wechatResponses,
            },
          },
          (request, reply) => run(request, reply, { op: 'query', partner, outTradeNo: request.params.out_trade_no }),
        );
        for (const op of ['close', 'reverse'] as const) {
          s.post(
            `${base}/out-trade-no/:out_trade_no/${op}`,
            { ...common, schema: { tags, summary: `WeChat Pay ${partner ? '服务商 ' : ''}${op}`, params: Type.Object({ out_trade_no: OutTradeNo }), body: Body, response: wechatResponses } },
            (request, reply) => run(request, reply, { op, partner, outTradeNo: request.params.out_trade_no }),
          );
        }
      }
      s.post('/v3/refund/domestic/refunds', { config: { public: true }, schema: { tags, summary: 'WeChat Pay refund', body: Body, response: wechatResponses } }, (request, reply) => run(request, reply, { op: 'refund' }));
      s.get(
        '/v3/refund/domestic/refunds/:out_refund_no',
        { config: { public: true }, schema: { tags, summary: 'WeChat Pay refund query', params: Type.Object({ out_refund_no: Type.String({ minLength: 1, maxLength: 64 }) }), querystring: Type.Object({ sub_mchid: Type.Optional(Type.String()) }), response: wechatResponses } },
        (request, reply) => run(request, reply, { op: 'refund_query', outRefundNo: request.params.out_refund_no }),
      );
      s.get(
        '/v3/certificates',
        { config: { public: true }, schema: { tags, summary: 'WeChat Pay platform certificates, each sealed with the caller’s APIv3 key (signed answer)', response: wechatResponses } },
        (request, reply) => run(request, reply, { op: 'certificates' }),
      );
      s.get(
        '/v3/bill/tradebill',
        {
          config: { public: true },
          schema: { tags, summary: 'WeChat Pay trade bill (download URL and SHA1)', querystring: Type.Object({ bill_date: Type.String(), bill_type: Type.Optional(Type.String()), sub_mchid: Type.Optional(Type.String()), tar_type: Type.Optional(Type.String()) }), response: wechatResponses },
        },
        (request, reply) => run(request, reply, { op: 'tradebill' }),
      );
      s.get(
        '/v3/billdownload/file',
        { config: { public: true }, schema: { tags, summary: 'WeChat Pay bill file (signed request, unsigned file)', querystring: Type.Object({ token: Type.String({ maxLength: 100 }) }), response: { 200: Type.String(), 401: WechatError, 404: WechatError } } },
        (request, reply) => run(request, reply, { op: 'billdownload' }),
      );
    },
    { prefix: '/wechatpay' },
  );

  // ---- Alipay gateway and the buyer's wallet (form posts) -------------------------------------
  await app.register(async (scope) => {
    scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (request, body, done) => {
      const text = typeof body === 'string' ? body : body.toString('utf8');
      rawBodies.set(request.raw, text);
      const fields: Record<string, string> = {};
      for (const [key, value] of new URLSearchParams(text)) {
        if (Object.hasOwn(fields, key)) return done(Object.assign(new Error(`repeated field ${key}`), { statusCode: 400 }), undefined);
        fields[key] = value;
      }
      done(null, fields);
    });
    const s = scope.withTypeProvider<TypeBoxTypeProvider>();

    s.post(
      '/alipay/gateway.do',
      {
        config: { public: true },
        schema: {
          tags,
          summary: 'Alipay Open API gateway (form or query parameters: app_id, method, sign, biz_content, …)',
          querystring: Type.Record(Type.String(), Type.String()),
          body: Type.Union([Type.Null(), Type.Record(Type.String(), Type.String())]),
          response: { 200: AnyJson },
        },
      },
      async (request, reply) => {
        const query = request.query;
        const body = request.body ?? {};
        const { keys } = await context();
        const params: Record<string, string> = { ...query };
        let repeated = false;
        for (const [key, value] of Object.entries(body)) {
          if (Object.hasOwn(params, key)) repeated = true;
          params[key] = value;
        }
        const answer = repeated
          ? { responseKey: 'error_response', node: { code: '40002', msg: 'Invalid Arguments', sub_code: 'isv.invalid-parameter', sub_msg: '参数重复' } }
          : await handleAlipay(await context(), params, baseOf(request), new Date());
        const text = buildSignedAlipayResponse(answer.responseKey, answer.node, keys.alipay.privateKey);
        return reply.type('application/json; charset=utf-8').send(text);
      },
    );

    s.get(
      '/alipay/bills/:token',
      { config: { public: true }, schema: { tags, summary: 'Alipay bill archive behind a bill_download_url: a ZIP of GBK CSVs (业务明细 and 业务明细(汇总))', params: Type.Object({ token: Type.String({ maxLength: 200 }) }), response: { 200: Type.Unsafe<Buffer>({ type: 'string', format: 'binary', description: 'application/octet-stream (zip)' }), ...errors() } } },
      async (request, reply) => {
        const found = readAlipayBillToken(config.secretKey, request.params.token);
        const merchant = found ? await merchantById(db, found.merchantId) : undefined;
        if (!found || !merchant) throw commonErrors.make('not_found', 'no such bill');
        const archive = await renderAlipayBillArchive(db, merchant, found.billDate, new Date());
        return reply.type('application/octet-stream').header('content-disposition', `attachment; filename="${archive.fileName}"`).send(archive.bytes);
      },
    );

    await sandboxOAuthRoutes(scope, { db, secretKey: config.secretKey, publicUrl: config.publicUrl });

    const WalletParams = Type.Object({ channel: Channel, token: Type.String({ minLength: 1, maxLength: 100 }) });
    const WalletQuery = Type.Object({ buyer: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })), return_url: Type.Optional(Type.String({ maxLength: 2000 })) });
    const WalletForm = Type.Object({ buyer: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })), return_url: Type.Optional(Type.String({ maxLength: 2000 })) }, { additionalProperties: false });

    const walletView = async (channel: 'wechatpay' | 'alipay', token: string, buyer: string | undefined, returnUrl: string | undefined, cancelled = false): Promise<WalletView> => {
      const trade = await findTradeByToken(db, token);
      const merchant = trade && trade.channel === channel ? await merchantById(db, trade.merchantId) : undefined;
      if (!trade || !merchant) return { channel, token, merchantName: '', description: '', amountFen: 0, status: 'not_found', buyer, returnUrl, payerLabel: undefined };
      const now = new Date();
      if (trade.state === 'NOTPAY' && trade.expiresAt && trade.expiresAt <= now) await transition(db, trade.id, ['NOTPAY'], 'CLOSED', now);
      const current = (await findTradeByToken(db, token)) ?? trade;
      const status = current.state === 'SUCCESS' ? 'paid' : current.state === 'NOTPAY' ? (cancelled ? 'cancelled' : 'pay') : 'closed';
      const payer = current.payer as { openid?: string; user_id?: string } | null;
      return { channel, token, merchantName: merchant.name, description: current.description, amountFen: current.amountFen, status, buyer, returnUrl, payerLabel: payer?.openid ?? payer?.user_id };
    };

    // Only back to this server: the sandbox must not become an open redirect.
    const safeReturn = (request: FastifyRequest, url: string | undefined): string | undefined => {
      if (!url) return undefined;
      if (url.startsWith('/') && !url.startsWith('//')) return url;
      try {
        const target = new URL(url);
        const allowed = [request.host, new URL(config.publicUrl).host];
        return (target.protocol === 'http:' || target.protocol === 'https:') && allowed.includes(target.host) ? url : undefined;
      } catch {
        return undefined;
      }
    };

    s.get(
      '/wallet/:channel/:token',
      { config: { public: true }, schema: { tags, summary: 'The buyer’s wallet page after a scan (HTML)', params: WalletParams, querystring: WalletQuery, response: { 200: Html, 404: Html } } },
      async (request, reply) => {
        const { channel, token } = request.params;
        const trade = await findTradeByToken(db, token);
        if (trade) await markScanned(db, trade.id, new Date());
        const view = await walletView(channel, token, request.query.buyer, safeReturn(request, request.query.return_url));
        return reply.code(view.status === 'not_found' ? 404 : 200).type('text/html; charset=utf-8').send(renderWalletPage(view));
      },
    );

    s.post(
      '/wallet/:channel/:token/pay',
      { config: { public: true }, schema: { tags, summary: 'The buyer confirms: the trade is paid and the merchant notified', params: WalletParams, querystring: WalletQuery, body: Type.Union([Type.Null(), WalletForm]), response: { 200: Html, 303: Type.Null(), 404: Html } } },
      async (request, reply) => {
        const { channel, token } = request.params;
        const buyer = request.body?.buyer ?? request.query.buyer ?? randomBuyerLabel();
        const trade = await findTradeByToken(db, token);
        const merchant = trade && trade.channel === channel ? await merchantById(db, trade.merchantId) : undefined;
        if (trade && merchant) {
          const now = new Date();
          if (trade.state === 'NOTPAY' && (!trade.expiresAt || trade.expiresAt > now)) {
            await markScanned(db, trade.id, now);
            await markPaid(await context(), merchant, trade.id, buyer, now);
          }
        }
        const back = safeReturn(request, request.body?.return_url ?? request.query.return_url);
        if (back) return reply.redirect(back, 303);
        const view = await walletView(channel, token, buyer, undefined);
        return reply.code(view.status === 'not_found' ? 404 : 200).type('text/html; charset=utf-8').send(renderWalletPage(view));
      },
    );

    s.post(
      '/wallet/:channel/:token/cancel',
      { config: { public: true }, schema: { tags, summary: 'The buyer cancels: nothing is paid; the order stays open until it expires', params: WalletParams, querystring: WalletQuery, body: Type.Union([Type.Null(), WalletForm]), response: { 200: Html, 303: Type.Null(), 404: Html } } },
      async (request, reply) => {
        const { channel, token } = request.params;
        const back = safeReturn(request, request.body?.return_url ?? request.query.return_url);
        if (back) return reply.redirect(back, 303);
        const view = await walletView(channel, token, request.body?.buyer ?? request.query.buyer, undefined, true);
        return reply.code(view.status === 'not_found' ? 404 : 200).type('text/html; charset=utf-8').send(renderWalletPage(view));
      },
    );
  });
}
