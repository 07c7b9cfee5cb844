import { Type, type TString } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { commonErrors } from '../../kernel/errors.js';
import { accessOf, errors, iso, NoBody, Nullable, Page, PageQuery, StrictObject, Timestamp, type ModuleDeps } from '../../http/route-kit.js';
import type { ChannelName } from './channels/adapter.js';
import { AlipayOAuth, ChannelCredentials, WechatOAuth } from './channels/channel-credentials.js';
import * as channelConfig from './channel-config.js';
import { collectWithBarcode } from './counter.js';
import type { DailyFigures } from './fee-split.js';
import * as orders from './payment-orders.js';
import * as rates from './rates.js';
import * as reconciliation from './reconciliation.js';
import * as refundService from './refunds.js';
import * as settlement from './settlement.js';
import * as storeQr from './store-qr.js';
import { inProcessFetch, paymentPublicRoutes } from './public-routes.js';
import { sandboxRoutes } from './sandbox/index.js';

/** The module as app.ts registers it: /v1 routes, and the public ones at the root (notify, H5, /sandbox). */
export const paymentsModule = {
  name: 'payments',
  routes: (app: FastifyInstance, deps: ModuleDeps) => paymentRoutes(app, deps),
  publicRoutes: (app: FastifyInstance, deps: ModuleDeps) => paymentPublicRoutes(app, deps, { sandbox: sandboxRoutes }),
};

const id = (prefix: string) => Type.String({ pattern: `^${prefix}_[0-9a-z]{26}$`, description: `${prefix}_… id` });
const Channel = Type.Union([Type.Literal('wechatpay'), Type.Literal('alipay')]);
const PaymentStatus = Type.Union([Type.Literal('created'), Type.Literal('paying'), Type.Literal('succeeded'), Type.Literal('failed'), Type.Literal('closed'), Type.Literal('late_paid')], {
  description: 'late_paid: paid at the channel after the order was closed or failed here; refunded in full automatically',
});
const RefundStatus = Type.Union([Type.Literal('processing'), Type.Literal('succeeded'), Type.Literal('failed'), Type.Literal('closed')]);
const Fen = Type.Integer({ minimum: 1, maximum: 100_000_000, description: 'amount in fen (分)' });
const OrderNo = Type.String({ minLength: 1, maxLength: 32, pattern: '^[0-9A-Za-z_\\-|*]+$' });
const DateString = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'yyyy-MM-dd (Asia/Shanghai business day)' });

const Payer = Type.Object({ kind: Type.String(), value: Type.String(), app_id: Type.Optional(Type.String()) });
const PaymentView = Type.Object({
  id: Type.String(),
  store_id: Type.String(),
  qr_code_id: Nullable(Type.String()),
  desk: Nullable(Type.String()),
  channel: Channel,
  kind: Type.String({ description: 'barcode | qr | in_app' }),
  merchant_order_no: Type.String(),
  out_trade_no: Type.String(),
  description: Type.String(),
  amount_fen: Type.Integer(),
  refunded_fen: Type.Integer(),
  status: PaymentStatus,
  channel_trade_no: Nullable(Type.String()),
  code_url: Nullable(Type.String()),
  payer_identifiers: Type.Array(Payer),
  person_id: Nullable(Type.String()),
  purpose: Nullable(Type.Object({ module: Type.String(), kind: Type.String(), reference: Type.String() }, { description: 'what another module collected this payment for' })),
  failure_reason: Nullable(Type.String()),
  fee_rate_ppm: Type.Integer(),
  expires_at: Timestamp,
  paid_at: Nullable(Timestamp),
  closed_at: Nullable(Timestamp),
  created_at: Timestamp,
  updated_at: Timestamp,
});
const RefundView = Type.Object({
  id: Type.String(),
  payment_id: Type.String(),
  store_id: Type.String(),
  channel: Channel,
  out_refund_no: Type.String(),
  amount_fen: Type.Integer(),
  reason: Type.String(),
  status: RefundStatus,
  channel_refund_no: Nullable(Type.String()),
  failure_reason: Nullable(Type.String()),
  succeeded_at: Nullable(Timestamp),
  created_at: Timestamp,
});
const TimelineItem = Type.Object({ id: Type.String(), type: Type.String(), refund_id: Nullable(Type.String()), detail: Type.Unknown(), occurred_at: Timestamp });
const PaymentDetailView = Type.Intersect([PaymentView, Type.Object({ refunds: Type.Array(RefundView), timeline: Type.Array(TimelineItem) })]);
const QrView = Type.Object({
  id: Type.String(),
  store_id: Type.String(),
  desk: Nullable(Type.String()),
  label: Nullable(Type.String()),
  status: Type.String(),
  url: Type.String({ description: 'the URL the QR encodes: the H5 pay page' }),
  png_url: Type.String(),
  svg_url: Type.String(),
  created_at: Timestamp,
});
const ChannelAccountView = Type.Object({
  id: Type.String(),
  channel: Channel,
  mode: Type.String(),
  environment: Type.String(),
  config: Type.Record(Type.String(), Type.Unknown(), { description: 'identifiers and public keys; never the secrets' }),
  secret_fingerprints: Type.Record(Type.String(), Type.String()),
  fee_rate_ppm: Type.Integer({ description: 'the merchant’s fee rate (ppm: 3800 = 0.38 %); the channel cost is the operator’s and not shown here' }),
  status: Type.String(),
  notify_url: Type.String(),
  updated_at: Timestamp,
});
const MerchantRatesView = Type.Object({
  merchant_id: Type.String(),
  merchant_name: Type.String(),
  agent: Nullable(Type.Object({ id: Type.String(), name: Type.String(), share_bps: Type.Integer({ description: 'the agent’s share of the margin (3000 = 30 %)' }) })),
  channels: Type.Array(
    Type.Object({
      channel: Channel,
      fee_rate_ppm: Type.Integer({ description: 'what the merchant pays (ppm of volume)' }),
      cost_rate_ppm: Type.Integer({ description: 'what the channel charges the operator' }),
      margin_ppm: Type.Integer({ description: 'fee − cost' }),
      agent_ppm: Type.Integer({ description: 'the agent’s part of the margin (display; commission is computed daily in fen)' }),
      status: Type.String(),
    }),
  ),
});
const OperatorChannelView = Type.Object({ channel: Channel, environment: Type.String(), config: Type.Record(Type.String(), Type.Unknown()), secret_fingerprints: Type.Record(Type.String(), Type.String()), updated_at: Timestamp });
const Figures = Type.Object({
  payment_count: Type.Integer(),
  refund_count: Type.Integer(),
  gross_fen: Type.Integer(),
  refunds_fen: Type.Integer(),
  fees_fen: Type.Integer(),
  cost_fen: Type.Integer(),
  net_fen: Type.Integer(),
  margin_fen: Type.Integer(),
});
const MerchantStatementView = Type.Object({
  date: Type.String(),
  totals: Figures,
  by_channel: Type.Array(Type.Object({ channel: Type.String(), figures: Figures })),
  by_store: Type.Array(Type.Object({ store_id: Type.String(), figures: Figures })),
});
const OperatorStatementView = Type.Object({
  date: Type.String(),
  merchants: Type.Array(Type.Object({ merchant_id: Type.String(), merchant_name: Type.String(), agent_id: Nullable(Type.String()), figures: Figures, agent_commission_fen: Type.Integer() })),
  agents: Type.Array(Type.Object({ agent_id: Type.String(), agent_name: Type.String(), share_bps: Type.Integer(), merchant_count: Type.Integer(), margin_fen: Type.Integer(), commission_fen: Type.Integer() })),
  totals: Type.Intersect([Figures, Type.Object({ agent_commission_fen: Type.Integer(), operator_keeps_fen: Type.Integer() })]),
});
const ReconciliationView = Type.Object({
  id: Type.String(),
  channel: Channel,
  date: Type.String(),
  source: Type.String(),
  bill_records: Type.Integer(),
  matched: Type.Integer(),
  mismatches: Type.Integer(),
  created_at: Timestamp,
});
const LineView = Type.Object({
  id: Type.String(),
  kind: Type.String({ description: 'missing_locally | missing_at_channel | amount_mismatch | status_mismatch | late_success (paid after we gave up; refunded automatically)' }),
  record_kind: Type.String(),
  out_trade_no: Type.String(),
  out_refund_no: Nullable(Type.String()),
  local_amount_fen: Nullable(Type.Integer()),
  channel_amount_fen: Nullable(Type.Integer()),
  local_status: Nullable(Type.String()),
  channel_status: Nullable(Type.String()),
  resolution: Type.String({ description: 'open | fixed | explained' }),
  note: Nullable(Type.String()),
  resolved_at: Nullable(Timestamp),
});

type PaymentRow = orders.PaymentRow;
const paymentView = (p: PaymentRow) => ({
  id: p.id,
  store_id: p.storeId,
  qr_code_id: p.qrCodeId,
  desk: p.desk,
  channel: p.channel,
  kind: p.kind,
  merchant_order_no: p.merchantOrderNo,
  out_trade_no: p.outTradeNo,
  description: p.description,
  amount_fen: p.amountFen,
  refunded_fen: p.refundedFen,
  status: p.status,
  channel_trade_no: p.channelTradeNo,
  code_url: p.codeUrl,
  payer_identifiers: ((p.payerIdentifiers as { kind: string; value: string; appId?: string }[]) ?? []).map((x) => ({ kind: x.kind, value: x.value, ...(x.appId && { app_id: x.appId }) })),
  person_id: p.personId,
  purpose: orders.purposeOf(p),
  failure_reason: p.failureReason,
  fee_rate_ppm: p.feeRatePpm,
  expires_at: p.expiresAt.toISOString(),
  paid_at: iso(p.paidAt),
  closed_at: iso(p.closedAt),
  created_at: p.createdAt.toISOString(),
  updated_at: p.updatedAt.toISOString(),
});
const refundView = (r: refundService.RefundRow) => ({
  id: r.id,
  payment_id: r.paymentId,
  store_id: r.storeId,
  channel: r.channel,
  out_refund_no: r.outRefundNo,
  amount_fen: r.amountFen,
  reason: r.reason,
  status: r.status,
  channel_refund_no: r.channelRefundNo,
  failure_reason: r.failureReason,
  succeeded_at: iso(r.succeededAt),
  created_at: r.createdAt.toISOString(),
});
const figuresView = (f: DailyFigures) => ({
  payment_count: f.paymentCount,
  refund_count: f.refundCount,
  gross_fen: f.grossFen,
  refunds_fen: f.refundsFen,
  fees_fen: f.feesFen,
  cost_fen: f.costFen,
  net_fen: f.netFen,
  margin_fen: f.marginFen,
});
const reconciliationView = (r: reconciliation.ReconciliationRow) => ({
  id: r.id,
  channel: r.channel as ChannelName,
  date: r.billDate,
  source: r.source,
  bill_records: r.billRecords,
  matched: r.matched,
  mismatches: r.mismatches,
  created_at: r.createdAt.toISOString(),
});
const lineView = (l: reconciliation.ReconciliationLineRow) => ({
  id: l.id,
  kind: l.kind,
  record_kind: l.recordKind,
  out_trade_no: l.outTradeNo,
  out_refund_no: l.outRefundNo,
  local_amount_fen: l.localAmountFen,
  channel_amount_fen: l.channelAmountFen,
  local_status: l.localStatus,
  channel_status: l.channelStatus,
  resolution: l.resolution,
  note: l.note,
  resolved_at: iso(l.resolvedAt),
});

function params<K extends string>(entries: Record<K, TString>) {
  return StrictObject(entries);
}

export async function paymentRoutes(instance: FastifyInstance, { db, config }: ModuleDeps): Promise<void> {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const rt: orders.PaymentsRuntime = { db, config, fetch: inProcessFetch(instance, config.publicUrl) };
  // Other modules (through the door) and the workers reach the sandbox the way these routes do.
  orders.registerPaymentsFetch(db, rt.fetch!);
  const qrView = (q: storeQr.StoreQrRow) => ({
    id: q.id,
    store_id: q.storeId,
    desk: q.desk,
    label: q.label,
    status: q.status,
    url: storeQr.payPageUrl(config, q.token),
    png_url: `${config.publicUrl}/v1/qr-codes/${q.id}.png`,
    svg_url: `${config.publicUrl}/v1/qr-codes/${q.id}.svg`,
    created_at: q.createdAt.toISOString(),
  });
  const accountView = (a: channelConfig.ChannelAccountView) => ({
    id: a.id,
    channel: a.channel,
    mode: a.mode,
    environment: a.environment,
    config: a.config,
    secret_fingerprints: a.secretFingerprints,
    fee_rate_ppm: a.feeRatePpm,
    status: a.status,
    notify_url: orders.notifyUrlOf(config, a),
    updated_at: a.updatedAt.toISOString(),
  });

  // ---- payments ----
  app.post(
    '/payments',
    {
      schema: {
        tags: ['payments'],
        summary: 'Collect a payment: scan the buyer’s 付款码 (auth_code) or show a dynamic QR (mode qr)',
        description:
          'With `auth_code` the code’s prefix picks the channel; while the buyer confirms the order is polled, then reversed if they never do. With `mode: "qr"` and a `channel`, answers a `code_url` to show. Send an Idempotency-Key.',
        body: StrictObject({
          store_id: id('sto'),
          amount_fen: Fen,
          auth_code: Type.Optional(Type.String({ minLength: 10, maxLength: 32 })),
          mode: Type.Optional(Type.Union([Type.Literal('barcode'), Type.Literal('qr')])),
          channel: Type.Optional(Channel),
          merchant_order_no: Type.Optional(OrderNo),
          description: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
          desk: Type.Optional(Type.String({ minLength: 1, maxLength: 40 })),
        }),
        response: { 201: PaymentView, ...errors(409, 502) },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const mode = body.mode ?? (body.auth_code ? 'barcode' : undefined);
      const ctx = accessOf(request);
      let payment: PaymentRow;
      if (mode === 'barcode') {
        if (!body.auth_code) throw commonErrors.make('validation_failed', 'auth_code is required for a barcode payment', { fields: [{ field: 'body.auth_code', message: 'is required' }] });
        payment = await collectWithBarcode(rt, ctx, { storeId: body.store_id, amountFen: body.amount_fen, authCode: body.auth_code, merchantOrderNo: body.merchant_order_no, description: body.description, desk: body.desk });
      } else if (mode === 'qr') {
        if (!body.channel) throw commonErrors.make('validation_failed', 'channel is required for a QR payment', { fields: [{ field: 'body.channel', message: 'is required' }] });
        payment = await orders.createQrPayment(rt, ctx, { storeId: body.store_id, amountFen: body.amount_fen, channel: body.channel, description: body.description, merchantOrderNo: body.merchant_order_no });
      } else {
        throw commonErrors.make('validation_failed', 'send auth_code (barcode) or mode "qr"', { fields: [{ field: 'body.auth_code', message: 'is required unless mode is qr' }] });
      }
      return reply.status(201).send(paymentView(payment));
    },
  );

  app.get(
    '/payments',
    {
      schema: {
        tags: ['payments'],
        summary: 'List payments, newest first',
        querystring: StrictObject({
          ...PageQuery,
          store_id: Type.Optional(id('sto')),
          channel: Type.Optional(Channel),
          status: Type.Optional(PaymentStatus),
          person_id: Type.Optional(id('per')),
          from: Type.Optional(Timestamp),
          to: Type.Optional(Timestamp),
        }),
        response: { 200: Page(PaymentView), ...errors() },
      },
    },
    async (request) => {
      const q = request.query;
      const page = await orders.listPayments(db, accessOf(request), {
        storeId: q.store_id,
        channel: q.channel,
        status: q.status,
        personId: q.person_id,
        from: q.from ? new Date(q.from) : undefined,
        to: q.to ? new Date(q.to) : undefined,
        after: q.after,
        limit: q.limit,
      });
      return { items: page.items.map(paymentView), next_cursor: page.nextCursor };
    },
  );

  app.get(
    '/payments/:paymentId',
    { schema: { tags: ['payments'], summary: 'A payment with its refunds and timeline (state changes, channel calls, notifications)', params: params({ paymentId: id('pay') }), response: { 200: PaymentDetailView, ...errors() } } },
    async (request) => {
      const detail = await orders.getPaymentDetail(db, accessOf(request), request.params.paymentId);
      return {
        ...paymentView(detail.payment),
        refunds: detail.refunds.map(refundView),
        timeline: detail.timeline.map((t) => ({ id: t.id, type: t.type, refund_id: t.refundId, detail: t.detail, occurred_at: t.occurredAt.toISOString() })),
      };
    },
  );

  app.post(
    '/payments/:paymentId/close',
    { schema: { tags: ['payments'], summary: 'Close an unpaid payment (a barcode payment is reversed at the channel)', params: params({ paymentId: id('pay') }), body: NoBody, response: { 200: PaymentView, ...errors(409, 502) } } },
    async (request) => paymentView(await orders.closePayment(rt, accessOf(request), request.params.paymentId)),
  );

  app.post(
    '/payments/:paymentId/query',
    {
      schema: {
        tags: ['payments'],
        summary: 'Ask the channel about the payment now and apply its answer',
        description: 'A buyer charged for an order that was closed here (paid after the give-up) shows up as `late_paid` and is refunded in full automatically.',
        params: params({ paymentId: id('pay') }),
        body: NoBody,
        response: { 200: PaymentView, ...errors(502) },
      },
    },
    async (request) => paymentView(await orders.queryPaymentAtChannel(rt, accessOf(request), request.params.paymentId)),
  );

  app.post(
    '/payments/:paymentId/refunds',
    {
      schema: {
        tags: ['payments'],
        summary: 'Refund all or part of a payment (idempotent by out_refund_no)',
        params: params({ paymentId: id('pay') }),
        body: StrictObject({ amount_fen: Fen, out_refund_no: Type.Optional(OrderNo), reason: Type.String({ minLength: 1, maxLength: 80 }) }),
        response: { 201: RefundView, ...errors(409, 502) },
      },
    },
    async (request, reply) => {
      const refund = await refundService.createRefund(rt, accessOf(request), request.params.paymentId, { amountFen: request.body.amount_fen, outRefundNo: request.body.out_refund_no, reason: request.body.reason });
      return reply.status(201).send(refundView(refund));
    },
  );

  app.get(
    '/refunds',
    {
      schema: {
        tags: ['payments'],
        summary: 'List refunds, newest first',
        querystring: StrictObject({ ...PageQuery, payment_id: Type.Optional(id('pay')), store_id: Type.Optional(id('sto')), status: Type.Optional(RefundStatus), from: Type.Optional(Timestamp), to: Type.Optional(Timestamp) }),
        response: { 200: Page(RefundView), ...errors() },
      },
    },
    async (request) => {
      const q = request.query;
      const page = await refundService.listRefunds(db, accessOf(request), {
        paymentId: q.payment_id,
        storeId: q.store_id,
        status: q.status,
        from: q.from ? new Date(q.from) : undefined,
        to: q.to ? new Date(q.to) : undefined,
        after: q.after,
        limit: q.limit,
      });
      return { items: page.items.map(refundView), next_cursor: page.nextCursor };
    },
  );

  app.get(
    '/refunds/:refundId',
    { schema: { tags: ['payments'], summary: 'A refund', params: params({ refundId: id('rfd') }), response: { 200: RefundView, ...errors() } } },
    async (request) => refundView(await refundService.getRefund(db, accessOf(request), request.params.refundId)),
  );

  // ---- store QR codes (一码付) ----
  app.get(
    '/stores/:storeId/qr-codes',
    { schema: { tags: ['payments'], summary: 'The store’s payment QR codes (per store and per cashier desk)', params: params({ storeId: id('sto') }), response: { 200: Type.Object({ items: Type.Array(QrView) }), ...errors() } } },
    async (request) => ({ items: (await storeQr.listStoreQrCodes(db, accessOf(request), request.params.storeId)).map(qrView) }),
  );

  app.post(
    '/stores/:storeId/qr-codes',
    {
      schema: {
        tags: ['payments'],
        summary: 'Create a payment QR code for the store or one of its cashier desks',
        params: params({ storeId: id('sto') }),
        body: StrictObject({ desk: Type.Optional(Type.String({ minLength: 1, maxLength: 40 })), label: Type.Optional(Type.String({ minLength: 1, maxLength: 80 })) }),
        response: { 201: QrView, ...errors() },
      },
    },
    async (request, reply) => reply.status(201).send(qrView(await storeQr.createStoreQrCode(db, accessOf(request), request.params.storeId, request.body))),
  );

  app.patch(
    '/qr-codes/:qrId',
    {
      schema: {
        tags: ['payments'],
        summary: 'Disable or re-enable a QR code',
        params: params({ qrId: id('pqr') }),
        body: StrictObject({ status: Type.Union([Type.Literal('active'), Type.Literal('disabled')]) }),
        response: { 200: QrView, ...errors() },
      },
    },
    async (request) => qrView(await storeQr.setStoreQrCodeStatus(db, accessOf(request), request.params.qrId, request.body.status)),
  );

  app.get(
    '/qr-codes/:qrFile',
    {
      schema: {
        tags: ['payments'],
        summary: 'A QR code: JSON (`pqr_…`), or printable with the store name (`pqr_….png`, `pqr_….svg`)',
        params: params({ qrFile: Type.String({ pattern: '^pqr_[0-9a-z]{26}(\\.png|\\.svg)?$' }) }),
        response: { 200: Type.Union([QrView, Type.String({ description: 'image/svg+xml' }), Type.Unknown({ description: 'image/png' })]), ...errors() },
      },
    },
    async (request, reply) => {
      const [qrId, format] = request.params.qrFile.split('.') as [string, 'png' | 'svg' | undefined];
      if (!format) return qrView(await storeQr.getStoreQrCode(db, accessOf(request), qrId));
      const image = await storeQr.renderStoreQr(db, config, accessOf(request), qrId, format);
      reply.header('content-disposition', `inline; filename="${qrId}.${format}"`);
      return reply.type(format === 'svg' ? 'image/svg+xml; charset=utf-8' : 'image/png').send(image);
    },
  );

  // ---- channel accounts ----
  app.get(
    '/payment-channels',
    { schema: { tags: ['payment channels'], summary: 'The merchant’s channel accounts (secrets shown as fingerprints only)', response: { 200: Type.Object({ items: Type.Array(ChannelAccountView) }), ...errors() } } },
    async (request) => ({ items: (await channelConfig.listChannelAccounts(db, config, accessOf(request))).map(accountView) }),
  );

  app.get(
    '/payment-channels/:channel',
    { schema: { tags: ['payment channels'], summary: 'One channel account', params: StrictObject({ channel: Channel }), response: { 200: ChannelAccountView, ...errors(409) } } },
    async (request) => accountView(await channelConfig.getChannelAccount(db, config, accessOf(request), request.params.channel)),
  );

  app.put(
    '/payment-channels/:channel',
    {
      schema: {
        tags: ['payment channels'],
        summary: 'Configure the merchant’s account at a channel: its own credentials, or sub-merchant ids under the operator’s 服务商/ISV account',
        params: StrictObject({ channel: Channel }),
        body: StrictObject({
          environment: Type.Union([Type.Literal('sandbox'), Type.Literal('production')], { description: 'sandbox = the built-in sandbox gateway of this server' }),
          status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('disabled')])),
          credentials: Type.Optional(ChannelCredentials),
          via_operator: Type.Optional(
            Type.Union([
              StrictObject({ sub_mchid: Type.String({ minLength: 1, maxLength: 32 }), sub_appid: Type.Optional(Type.String({ minLength: 1, maxLength: 32 })) }),
              StrictObject({ app_auth_token: Type.String({ minLength: 1, maxLength: 128 }) }),
            ]),
          ),
        }),
        response: { 200: ChannelAccountView, ...errors() },
      },
    },
    async (request) => {
      const { credentials, via_operator: viaOperator, environment, status } = request.body;
      return accountView(await channelConfig.putChannelAccountFromApi(db, config, accessOf(request), request.params.channel, { credentials, viaOperator, environment, status }));
    },
  );

  app.get(
    '/operator/payment-channels/:channel',
    { schema: { tags: ['operator'], summary: 'The operator’s 服务商 / ISV account at a channel', params: StrictObject({ channel: Channel }), response: { 200: OperatorChannelView, ...errors(409) } } },
    async (request) => {
      const view = await channelConfig.getOperatorChannelAccount(db, config, accessOf(request), request.params.channel);
      return { channel: view.channel, environment: view.environment, config: view.config, secret_fingerprints: view.secretFingerprints, updated_at: view.updatedAt.toISOString() };
    },
  );

  const Pem = Type.String({ minLength: 64, maxLength: 8192, pattern: '^-----BEGIN [A-Z ]+-----' });
  app.put(
    '/operator/payment-channels/:channel',
    {
      schema: {
        tags: ['operator'],
        summary: 'Set the operator’s 服务商 (WeChat Pay) or ISV (Alipay) credentials',
        params: StrictObject({ channel: Channel }),
        body: StrictObject({
          environment: Type.Union([Type.Literal('sandbox'), Type.Literal('production')]),
          wechatpay: Type.Optional(
            StrictObject({
              sp_mchid: Type.String({ minLength: 1, maxLength: 32 }),
              sp_appid: Type.String({ minLength: 1, maxLength: 32 }),
              merchant_serial_no: Type.String({ pattern: '^[0-9A-Fa-f]{1,64}$' }),
              merchant_private_key: Pem,
              api_v3_key: Type.String({ minLength: 32, maxLength: 32 }),
              platform: ChannelCredentials.anyOf[0].properties.platform,
              base_url: Type.Optional(Type.String({ pattern: '^https?://' })),
              oauth: Type.Optional(WechatOAuth),
            }),
          ),
          alipay: Type.Optional(
            StrictObject({
              app_id: Type.String({ minLength: 1, maxLength: 32 }),
              sys_service_provider_id: Type.String({ pattern: '^2088[0-9]{12}$' }),
              app_private_key: Pem,
              alipay_public_key: Pem,
              gateway_url: Type.Optional(Type.String({ pattern: '^https?://' })),
              oauth: Type.Optional(AlipayOAuth),
            }),
          ),
        }),
        response: { 200: OperatorChannelView, ...errors() },
      },
    },
    async (request) => {
      const view = await channelConfig.putOperatorChannelAccountFromApi(db, config, accessOf(request), request.params.channel, request.body);
      return { channel: view.channel, environment: view.environment, config: view.config, secret_fingerprints: view.secretFingerprints, updated_at: view.updatedAt.toISOString() };
    },
  );

  // ---- fee rates (readable) ----
  const rateRow = (r: rates.ChannelRates) => ({
    channel: r.channel,
    fee_rate_ppm: r.feeRatePpm,
    cost_rate_ppm: r.costRatePpm,
    margin_ppm: r.marginPpm,
    agent_ppm: r.agentPpm,
    status: r.status,
  });
  const merchantRatesView = (m: rates.MerchantRates) => ({
    merchant_id: m.merchantId,
    merchant_name: m.merchantName,
    agent: m.agent ? { id: m.agent.id, name: m.agent.name, share_bps: m.agent.shareBps } : null,
    channels: m.channels.map(rateRow),
  });
  app.get(
    '/payment-rates',
    {
      schema: {
        tags: ['payment channels'],
        summary: 'The fee rate the merchant pays per channel (ppm: 3800 = 0.38 %)',
        response: { 200: Type.Object({ items: Type.Array(Type.Object({ channel: Channel, fee_rate_ppm: Type.Integer(), status: Type.String() })) }), ...errors() },
      },
    },
    async (request) => ({ items: (await rates.merchantRates(db, accessOf(request))).map((r) => ({ channel: r.channel, fee_rate_ppm: r.feeRatePpm, status: r.status })) }),
  );
  app.get(
    '/operator/payment-rates',
    {
      schema: {
        tags: ['operator'],
        summary: 'Every merchant’s fee rate, channel cost rate, margin and agent share per channel (an agent: its merchants)',
        response: { 200: Type.Object({ items: Type.Array(MerchantRatesView) }), ...errors() },
      },
    },
    async (request) => ({ items: (await rates.operatorRates(db, accessOf(request))).map(merchantRatesView) }),
  );
  app.get(
    '/operator/merchants/:merchantId/payment-rates',
    {
      schema: {
        tags: ['operator'],
        summary: 'One merchant’s fee rate, channel cost rate, margin and agent share per channel',
        params: StrictObject({ merchantId: id('mch') }),
        response: { 200: MerchantRatesView, ...errors() },
      },
    },
    async (request) => merchantRatesView(await rates.operatorMerchantRates(db, accessOf(request), request.params.merchantId)),
  );

  app.put(
    '/operator/merchants/:merchantId/payment-channels/:channel/rates',
    {
      schema: {
        tags: ['operator'],
        summary: 'Set a merchant’s fee rate and the channel cost rate (ppm: 3800 = 0.38 %)',
        params: StrictObject({ merchantId: id('mch'), channel: Channel }),
        body: StrictObject({ fee_rate_ppm: Type.Integer({ minimum: 0, maximum: 100_000 }), cost_rate_ppm: Type.Integer({ minimum: 0, maximum: 100_000 }) }),
        response: { 204: Type.Null(), ...errors(409) },
      },
    },
    async (request, reply) => {
      await channelConfig.setChannelRates(db, accessOf(request), request.params.merchantId, request.params.channel, { feeRatePpm: request.body.fee_rate_ppm, costRatePpm: request.body.cost_rate_ppm });
      return reply.status(204).send(null);
    },
  );

  // ---- settlements ----
  const statementView = (s: settlement.MerchantStatement) => ({
    date: s.date,
    totals: figuresView(s.totals),
    by_channel: s.byChannel.map((c) => ({ channel: c.channel, figures: figuresView(c.figures) })),
    by_store: s.byStore.map((c) => ({ store_id: c.storeId, figures: figuresView(c.figures) })),
  });
  app.get(
    '/settlements',
    { schema: { tags: ['settlements'], summary: 'The merchant’s daily statement: gross, refunds, fees, net', querystring: StrictObject({ date: DateString }), response: { 200: MerchantStatementView, ...errors() } } },
    async (request) => statementView(await settlement.merchantStatement(db, accessOf(request), request.query.date)),
  );
  app.get(
    '/settlements/daily',
    {
      schema: {
        tags: ['settlements'],
        summary: 'Daily totals over a date range (for charts)',
        querystring: StrictObject({ from: DateString, to: DateString }),
        response: { 200: Type.Object({ items: Type.Array(Type.Object({ date: Type.String(), figures: Figures })) }), ...errors() },
      },
    },
    async (request) => ({ items: (await settlement.merchantDailySeries(db, accessOf(request), request.query.from, request.query.to)).map((d) => ({ date: d.date, figures: figuresView(d.figures) })) }),
  );
  app.get(
    '/operator/settlements',
    { schema: { tags: ['operator'], summary: 'Per-merchant statements and agent commission (分润) for one day', querystring: StrictObject({ date: DateString }), response: { 200: OperatorStatementView, ...errors() } } },
    async (request) => {
      const s = await settlement.operatorStatement(db, accessOf(request), request.query.date);
      return {
        date: s.date,
        merchants: s.merchants.map((m) => ({ merchant_id: m.merchantId, merchant_name: m.merchantName, agent_id: m.agentId, figures: figuresView(m.figures), agent_commission_fen: m.agentCommissionFen })),
        agents: s.agents.map((a) => ({ agent_id: a.agentId, agent_name: a.agentName, share_bps: a.shareBps, merchant_count: a.merchantCount, margin_fen: a.marginFen, commission_fen: a.commissionFen })),
        totals: { ...figuresView(s.totals), agent_commission_fen: s.totals.agentCommissionFen, operator_keeps_fen: s.totals.operatorKeepsFen },
      };
    },
  );

  // ---- reconciliation (对账) ----
  const ReconciliationDetail = Type.Intersect([ReconciliationView, Type.Object({ lines: Type.Array(LineView) })]);
  app.post(
    '/reconciliations',
    {
      schema: {
        tags: ['reconciliation'],
        summary: 'Reconcile one day: download the channel’s bill (or send its text as bill_text) and match it against local orders and refunds',
        body: StrictObject({
          channel: Channel,
          date: DateString,
          bill_text: Type.Optional(Type.String({ minLength: 1, maxLength: 900_000 })),
          bill_file_base64: Type.Optional(Type.String({ minLength: 4, maxLength: 12_000_000, contentEncoding: 'base64', description: 'the bill file as the channel delivers it (Alipay ZIP of GBK CSVs, WeChat gzip) or the CSV in GBK/UTF-8' })),
        }),
        response: { 201: ReconciliationDetail, ...errors(502) },
      },
    },
    async (request, reply) => {
      const file = request.body.bill_file_base64;
      const result = await reconciliation.createReconciliation(rt, accessOf(request), { channel: request.body.channel, date: request.body.date, billText: request.body.bill_text, billFile: file === undefined ? undefined : Buffer.from(file, 'base64') });
      return reply.status(201).send({ ...reconciliationView(result.reconciliation), lines: result.lines.map(lineView) });
    },
  );
  app.get(
    '/reconciliations',
    {
      schema: {
        tags: ['reconciliation'],
        summary: 'Past reconciliations, newest first',
        querystring: StrictObject({ ...PageQuery, channel: Type.Optional(Channel), date: Type.Optional(DateString) }),
        response: { 200: Page(ReconciliationView), ...errors() },
      },
    },
    async (request) => {
      const page = await reconciliation.listReconciliations(db, accessOf(request), request.query);
      return { items: page.items.map(reconciliationView), next_cursor: page.nextCursor };
    },
  );
  app.get(
    '/reconciliations/:reconciliationId',
    { schema: { tags: ['reconciliation'], summary: 'A reconciliation report with its lines', params: params({ reconciliationId: id('rcn') }), response: { 200: ReconciliationDetail, ...errors() } } },
    async (request) => {
      const result = await reconciliation.getReconciliation(db, accessOf(request), request.params.reconciliationId);
      return { ...reconciliationView(result.reconciliation), lines: result.lines.map(lineView) };
    },
  );
  app.post(
    '/reconciliations/:reconciliationId/lines/:lineId/resolve',
    {
      schema: {
        tags: ['reconciliation'],
        summary: 'Resolve a line: query the channel and apply its answer, or mark it explained',
        params: params({ reconciliationId: id('rcn'), lineId: id('rcl') }),
        body: StrictObject({ action: Type.Union([Type.Literal('query_and_fix'), Type.Literal('mark_explained')]), note: Type.String({ minLength: 1, maxLength: 500 }) }),
        response: { 200: LineView, ...errors(409, 502) },
      },
    },
    async (request) => lineView(await reconciliation.resolveLine(rt, accessOf(request), request.params.reconciliationId, request.params.lineId, request.body)),
  );
}
