// Payment orders: creation, the state machine applied to what channels report, queries, closing,
// expiry and late confirmation. Channel calls happen outside database transactions (never hold a
// lock across the network); every state change is a conditional UPDATE, so concurrent reporters
// (notification, counter polling, worker) change a payment once and announce it once.
import { and, asc, desc, eq, gte, inArray, lt, lte, sql, type SQL } from 'drizzle-orm';
import type { Config } from '../../config.js';
import type { Db } from '../../db/client.js';
import { AppError } from '../../kernel/errors.js';
import { newId } from '../../kernel/ids.js';
import {
  appendAudit,
  assertStoreInScope,
  authorize,
  canSeeStore,
  clampLimit,
  findMerchantById,
  getStore,
  pageOf,
  publishEvent,
  requireMerchantId,
  systemContext,
  type AccessContext,
} from '../platform/index.js';
import { ChannelError, type ChannelAdapter, type ChannelName, type ChannelPayer, type ChannelTradeStatus } from './channels/adapter.js';
import { createChannelAdapter } from './channels/create-adapter.js';
import { formatShanghaiDateTime } from './channels/shanghai-time.js';
import { activeAccount, credentialsOf, type ChannelAccountRow } from './channel-config.js';
import { paymentErrors } from './errors.js';
import { platformCertificateStore } from './platform-certificates.js';
import { locateInSandbox } from './sandbox-location.js';
import { feeFen } from './fee-split.js';
import { resolvePayer } from './payer-identity.js';
import { chargedAtChannel, isTerminal, lateSuccessSources, pathTo, sourcesOf, targetOfChannelState, type PaymentStatus } from './payment-state.js';
import { channelAccounts, ledgerEntries, notifications, paymentEvents, paymentOrders, refunds } from './schema.js';

export type PaymentRow = typeof paymentOrders.$inferSelect;
export type PaymentKind = 'barcode' | 'qr' | 'in_app';

/** What payment services need besides the database: configuration and, for tests, the HTTP client. */
export interface PaymentsRuntime {
  readonly db: Db;
  readonly config: Config;
  readonly fetch?: typeof fetch;
}

// The app that serves the sandbox registers its in-process HTTP client per database, so that callers
// holding only (db, config) — other modules through the door, the workers — reach the sandbox the
// same way the routes do (real HTTP when the app listens, inject when it does not).
const fetchByDb = new WeakMap<Db, typeof fetch>();

export function registerPaymentsFetch(db: Db, client: typeof fetch): void {
  fetchByDb.set(db, client);
}

export function runtimeOf(db: Db, config: Config): PaymentsRuntime {
  const client = fetchByDb.get(db);
  return client ? { db, config, fetch: client } : { db, config };
}

/** What another module collects a payment for; stored on the order and carried by every payment event. */
export interface PaymentPurpose {
  readonly module: string;
  readonly kind: string;
  readonly reference: string;
}

export function purposeOf(row: Pick<PaymentRow, 'purposeModule' | 'purposeKind' | 'purposeReference'>): PaymentPurpose | null {
  return row.purposeModule && row.purposeKind && row.purposeReference ? { module: row.purposeModule, kind: row.purposeKind, reference: row.purposeReference } : null;
}

// ---- channel plumbing ----

export function notifyUrlOf(config: Config, account: Pick<ChannelAccountRow, 'channel' | 'id'>): string {
  return `${config.publicUrl}/notify/${account.channel}/${account.id}`;
}

/** The sandbox gateway is served by this very server, so its base URL follows PUBLIC_URL. */
export function sandboxBaseUrl(config: Config, channel: ChannelName): string {
  return channel === 'wechatpay' ? `${config.publicUrl}/sandbox/wechatpay` : `${config.publicUrl}/sandbox/alipay/gateway.do`;
}

// Building an adapter unseals and parses keys; notifications arrive in bursts, so adapters are kept
// briefly per account version (a changed account has a new updated_at, hence a new key), separately
// for each HTTP client (each app in a test process has its own in-process fetch).
const adapterCaches = new WeakMap<object, Map<string, { adapter: ChannelAdapter; until: number }>>();
const ADAPTER_TTL_MS = 60_000;

export async function adapterFor(rt: PaymentsRuntime, account: ChannelAccountRow, operatorId: string): Promise<ChannelAdapter> {
  const owner: object = rt.fetch ?? globalThis;
  let cache = adapterCaches.get(owner);
  if (!cache) {
    cache = new Map();
    adapterCaches.set(owner, cache);
  }
  const key = [account.id, account.updatedAt.getTime(), account.environment, rt.config.publicUrl].join('|');
  const now = Date.now();
  const cached = cache.get(key);
  if (cached && cached.until > now) return cached.adapter;
  const adapter = await buildAdapter(rt, account, operatorId);
  if (cache.size > 1000) cache.clear();
  cache.set(key, { adapter, until: now + ADAPTER_TTL_MS });
  return adapter;
}

async function buildAdapter(rt: PaymentsRuntime, account: ChannelAccountRow, operatorId: string): Promise<ChannelAdapter> {
  const credentials = await credentialsOf(rt.db, rt.config, account, operatorId);
  const located = account.environment === 'sandbox' ? locateInSandbox(credentials, rt.config.publicUrl) : credentials;
  try {
    return createChannelAdapter(located, { ...(rt.fetch ? { fetch: rt.fetch } : {}), platformCertificates: platformCertificateStore(rt.db, account) });
  } catch (error) {
    throw paymentErrors.make('channel_config_invalid', error instanceof Error ? error.message : 'unreadable credentials');
  }
}

// A merchant's operator never changes, so callbacks need not look it up each time.
const operatorOfMerchant = new Map<string, string>();

export async function operatorOf(db: Db, merchantId: string): Promise<string> {
  const known = operatorOfMerchant.get(merchantId);
  if (known) return known;
  const merchant = await findMerchantById(db, merchantId);
  if (!merchant) throw paymentErrors.make('payment_not_found', 'merchant not found');
  if (operatorOfMerchant.size > 10_000) operatorOfMerchant.clear();
  operatorOfMerchant.set(merchantId, merchant.operatorId);
  return merchant.operatorId;
}

export function channelFailure(error: unknown): AppError {
  if (error instanceof AppError) return error;
  if (error instanceof ChannelError) return paymentErrors.make('channel_unavailable', `${error.channelCode}: ${error.message}`, { channel_code: error.channelCode, channel_error: error.kind });
  return paymentErrors.make('channel_unavailable', error instanceof Error ? error.message : 'channel call failed');
}

// ---- timeline ----

export async function recordPaymentEvent(db: Db, merchantId: string, paymentId: string, type: string, detail: Record<string, unknown>, refundId: string | null = null): Promise<void> {
  await db.insert(paymentEvents).values({ merchantId, id: newId('paymentEvent'), paymentId, refundId, type, detail, occurredAt: new Date() });
}

export function describeTradeStatus(status: ChannelTradeStatus): Record<string, unknown> {
  return { state: status.state, channel_state: status.channelState, channel_trade_no: status.channelTradeNo, amount_fen: status.amountFen };
}

// ---- reading ----

export async function loadPayment(db: Db, merchantId: string, paymentId: string, lock = false): Promise<PaymentRow> {
  const query = db.select().from(paymentOrders).where(and(eq(paymentOrders.merchantId, merchantId), eq(paymentOrders.id, paymentId)));
  const [row] = lock ? await query.for('update') : await query;
  if (!row) throw paymentErrors.make('payment_not_found');
  return row;
}

/** For public pages that carry only the payment id (the id is unguessable; no tenant context exists there). */
export async function loadPaymentById(db: Db, paymentId: string): Promise<PaymentRow | null> {
  const [row] = await db.select().from(paymentOrders).where(eq(paymentOrders.id, paymentId));
  return row ?? null;
}

export async function findPaymentByOutTradeNo(db: Db, merchantId: string, channel: ChannelName, outTradeNo: string): Promise<PaymentRow | null> {
  const [row] = await db
    .select()
    .from(paymentOrders)
    .where(and(eq(paymentOrders.merchantId, merchantId), eq(paymentOrders.channel, channel), eq(paymentOrders.outTradeNo, outTradeNo)));
  return row ?? null;
}

export async function getPayment(db: Db, ctx: AccessContext, paymentId: string): Promise<PaymentRow> {
  authorize(ctx, 'payments.read');
  const payment = await loadPayment(db, requireMerchantId(ctx), paymentId);
  if (!canSeeStore(ctx, payment.storeId)) throw paymentErrors.make('payment_not_found');
  return payment;
}

export interface PaymentTimelineItem {
  readonly id: string;
  readonly type: string;
  readonly refundId: string | null;
  readonly detail: unknown;
  readonly occurredAt: Date;
}

export interface PaymentDetail {
  readonly payment: PaymentRow;
  readonly refunds: (typeof refunds.$inferSelect)[];
  readonly timeline: PaymentTimelineItem[];
}

export async function getPaymentDetail(db: Db, ctx: AccessContext, paymentId: string): Promise<PaymentDetail> {
  const payment = await getPayment(db, ctx, paymentId);
  const [refundRows, events, received] = await Promise.all([
    db.select().from(refunds).where(and(eq(refunds.merchantId, payment.merchantId), eq(refunds.paymentId, paymentId))).orderBy(asc(refunds.id)),
    db.select().from(paymentEvents).where(and(eq(paymentEvents.merchantId, payment.merchantId), eq(paymentEvents.paymentId, paymentId))).orderBy(asc(paymentEvents.id)),
    db.select().from(notifications).where(and(eq(notifications.merchantId, payment.merchantId), eq(notifications.paymentId, paymentId))).orderBy(asc(notifications.id)),
  ]);
  const timeline: PaymentTimelineItem[] = [
    ...events.map((e) => ({ id: e.id, type: e.type, refundId: e.refundId, detail: e.detail, occurredAt: e.occurredAt })),
    ...received.map((n) => ({
      id: n.id,
      type: 'notification_received',
      refundId: null,
      detail: { channel: n.channel, notification_id: n.notificationId, kind: n.kind, out_refund_no: n.outRefundNo, outcome: n.outcome, processed_at: n.processedAt?.toISOString() ?? null },
      occurredAt: n.receivedAt,
    })),
  ].sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime() || a.id.localeCompare(b.id));
  return { payment, refunds: refundRows, timeline };
}

export interface PaymentFilter {
  readonly storeId?: string | undefined;
  readonly channel?: ChannelName | undefined;
  readonly status?: PaymentStatus | undefined;
  /** The ID+ person who paid (a member's payments in the console). */
  readonly personId?: string | undefined;
  readonly from?: Date | undefined;
  readonly to?: Date | undefined;
  readonly after?: string | undefined;
  readonly limit?: number | undefined;
}

export async function listPayments(db: Db, ctx: AccessContext, filter: PaymentFilter) {
  authorize(ctx, 'payments.read');
  const merchantId = requireMerchantId(ctx);
  const limit = clampLimit(filter.limit);
  const conditions: SQL[] = [eq(paymentOrders.merchantId, merchantId)];
  if (ctx.storeScope !== 'all') conditions.push(inArray(paymentOrders.storeId, ctx.storeScope.length ? [...ctx.storeScope] : ['__none__']));
  if (filter.storeId) conditions.push(eq(paymentOrders.storeId, filter.storeId));
  if (filter.channel) conditions.push(eq(paymentOrders.channel, filter.channel));
  if (filter.status) conditions.push(eq(paymentOrders.status, filter.status));
  if (filter.personId) conditions.push(eq(paymentOrders.personId, filter.personId));
  if (filter.from) conditions.push(gte(paymentOrders.createdAt, filter.from));
  if (filter.to) conditions.push(lt(paymentOrders.createdAt, filter.to));
  // Newest first; ids are time-sortable, so "older than this id" is the cursor.
  if (filter.after) conditions.push(lt(paymentOrders.id, filter.after));
  const rows = await db.select().from(paymentOrders).where(and(...conditions)).orderBy(desc(paymentOrders.id)).limit(limit + 1);
  return pageOf(rows, limit);
}

// ---- creating ----

export interface NewOrder {
  readonly merchantId: string;
  readonly storeId: string;
  readonly account: ChannelAccountRow;
  readonly kind: PaymentKind;
  readonly amountFen: number;
  readonly description: string;
  readonly merchantOrderNo?: string | undefined;
  readonly qrCodeId?: string | null | undefined;
  readonly desk?: string | null | undefined;
  readonly purpose?: PaymentPurpose | null | undefined;
}

export async function insertOrder(rt: PaymentsRuntime, ctx: AccessContext, order: NewOrder): Promise<PaymentRow> {
  const id = newId('payment');
  const now = new Date();
  return rt.db.transaction(async (tx) => {
    const [row] = await tx
      .insert(paymentOrders)
      .values({
        merchantId: order.merchantId,
        id,
        storeId: order.storeId,
        qrCodeId: order.qrCodeId ?? null,
        desk: order.desk ?? null,
        channel: order.account.channel,
        channelAccountId: order.account.id,
        kind: order.kind,
        merchantOrderNo: order.merchantOrderNo ?? id,
        // Our payment id doubles as out_trade_no: 30 characters of [a-z0-9_], valid for both channels.
        outTradeNo: id,
        description: order.description,
        amountFen: order.amountFen,
        status: 'created',
        feeRatePpm: order.account.feeRatePpm,
        costRatePpm: order.account.costRatePpm,
        expiresAt: new Date(now.getTime() + rt.config.PAYMENTS_ORDER_TTL_MINUTES * 60_000),
        purposeModule: order.purpose?.module ?? null,
        purposeKind: order.purpose?.kind ?? null,
        purposeReference: order.purpose?.reference ?? null,
        createdBy: ctx.actor.kind === 'system' ? null : ctx.actor.id,
        createdAt: now,
        updatedAt: now,
      })
      // No target: a taken merchant order number and a purpose with a live payment both end here.
      .onConflictDoNothing()
      .returning();
    if (!row) {
      const [taken] = await tx
        .select({ id: paymentOrders.id })
        .from(paymentOrders)
        .where(and(eq(paymentOrders.merchantId, order.merchantId), eq(paymentOrders.merchantOrderNo, order.merchantOrderNo ?? id)));
      if (taken || !order.purpose) throw paymentErrors.make('merchant_order_no_taken', `merchant_order_no ${order.merchantOrderNo ?? ''} is taken`);
      throw paymentErrors.make('purpose_payment_in_progress', `another payment for ${order.purpose.module}/${order.purpose.kind}/${order.purpose.reference} is in progress`);
    }
    const purpose = purposeOf(row);
    await recordPaymentEvent(tx, order.merchantId, id, 'created', { kind: order.kind, channel: order.account.channel, amount_fen: order.amountFen, by: ctx.actor.label, ...(purpose && { purpose }) });
    if (ctx.actor.kind !== 'system') {
      await appendAudit(tx, ctx, { action: 'payment.create', targetType: 'payment', targetId: id, after: { kind: order.kind, channel: order.account.channel, amount_fen: order.amountFen, store_id: order.storeId } });
    }
    return row;
  });
}

/** Checks the store exists and is the caller's to collect at. */
export async function assertCollectableStore(db: Db, ctx: AccessContext, storeId: string): Promise<void> {
  authorize(ctx, 'payments.collect');
  const merchantId = requireMerchantId(ctx);
  assertStoreInScope(ctx, storeId);
  // A system context reads the store: the caller's permission is payments.collect, not stores.read.
  const store = await getStore(db, systemContext(ctx.operatorId, merchantId, 'payments'), storeId).catch(() => null);
  if (!store || store.status !== 'active') throw paymentErrors.make('payment_not_found', 'store not found');
}

export function orderRequest(rt: PaymentsRuntime, payment: PaymentRow, account: ChannelAccountRow) {
  return { outTradeNo: payment.outTradeNo, amountFen: payment.amountFen, description: payment.description, expiresAt: payment.expiresAt, notifyUrl: notifyUrlOf(rt.config, account) };
}

/** Dynamic QR per order (WeChat Native / Alipay precreate). */
export async function createQrPayment(
  rt: PaymentsRuntime,
  ctx: AccessContext,
  input: { storeId: string; amountFen: number; channel: ChannelName; description?: string | undefined; merchantOrderNo?: string | undefined; purpose?: PaymentPurpose | undefined },
): Promise<PaymentRow> {
  await assertCollectableStore(rt.db, ctx, input.storeId);
  const merchantId = requireMerchantId(ctx);
  const account = await activeAccount(rt.db, merchantId, input.channel);
  const adapter = await adapterFor(rt, account, ctx.operatorId);
  const payment = await insertOrder(rt, ctx, {
    merchantId,
    storeId: input.storeId,
    account,
    kind: 'qr',
    amountFen: input.amountFen,
    description: input.description ?? 'MemberPlus',
    merchantOrderNo: input.merchantOrderNo,
    purpose: input.purpose,
  });
  try {
    const { codeUrl } = await adapter.createQrOrder(orderRequest(rt, payment, account));
    return await rt.db.transaction(async (tx) => (await moveTo(tx, payment, 'paying', { codeUrl }, 'channel.create_qr')) ?? loadPayment(tx, merchantId, payment.id));
  } catch (error) {
    await failUnplacedOrder(rt, adapter, payment, error);
    throw channelFailure(error);
  }
}

/**
 * The channel refused or never answered an order placement: close it there too (harmless if it does
 * not exist), then fail it here. An order the channel might have accepted is left to the expiry pass.
 */
export async function failUnplacedOrder(rt: PaymentsRuntime, adapter: ChannelAdapter, payment: PaymentRow, error: unknown): Promise<void> {
  const rejected = error instanceof ChannelError && (error.kind === 'rejected' || error.kind === 'misconfigured');
  await rt.db.transaction(async (tx) => {
    await recordPaymentEvent(tx, payment.merchantId, payment.id, 'channel_error', { operation: 'create', error: error instanceof Error ? error.message : String(error) });
    if (rejected) await moveTo(tx, payment, 'failed', { failureReason: error instanceof ChannelError ? error.channelCode : 'rejected' }, 'channel.create');
  });
  if (!rejected) await adapter.closeOrder(payment.outTradeNo).catch(() => undefined);
}

// ---- state changes ----

interface TransitionPatch {
  readonly channelTradeNo?: string | null;
  readonly paidAt?: Date;
  readonly closedAt?: Date;
  readonly failureReason?: string | null;
  readonly payerIdentifiers?: readonly ChannelPayer[];
  readonly codeUrl?: string;
  readonly payParams?: Record<string, string>;
}

/** One guarded step: UPDATE … WHERE status IN (legal sources). Null when someone else moved it first. */
export async function moveTo(tx: Db, payment: PaymentRow, to: PaymentStatus, patch: TransitionPatch, source: string): Promise<PaymentRow | null> {
  const [row] = await tx
    .update(paymentOrders)
    .set({ ...patch, payerIdentifiers: patch.payerIdentifiers ? [...patch.payerIdentifiers] : undefined, status: to, updatedAt: new Date() })
    .where(and(eq(paymentOrders.merchantId, payment.merchantId), eq(paymentOrders.id, payment.id), inArray(paymentOrders.status, sourcesOf(to))))
    .returning();
  if (!row) return null;
  await recordPaymentEvent(tx, payment.merchantId, payment.id, 'state_changed', { from: payment.status, to, source });
  return isTerminal(to) ? announceTerminal(tx, row) : row;
}

export function businessDateOf(at: Date): string {
  // Merchant-facing days are Asia/Shanghai days (the only time zone merchants have so far).
  return formatShanghaiDateTime(at).slice(0, 10);
}

export function paymentEventPayload(row: PaymentRow) {
  return {
    payment_id: row.id,
    store_id: row.storeId,
    qr_code_id: row.qrCodeId,
    merchant_order_no: row.merchantOrderNo,
    channel: row.channel,
    kind: row.kind,
    status: row.status,
    amount_fen: row.amountFen,
    refunded_fen: row.refundedFen,
    payer_identifiers: row.payerIdentifiers,
    person_id: row.personId,
    paid_at: row.paidAt?.toISOString() ?? null,
    purpose: purposeOf(row),
  };
}

/** The money ledger's entry for a payment the buyer paid (once per payment). */
async function insertPaymentLedgerEntry(tx: Db, row: PaymentRow): Promise<void> {
  const paidAt = row.paidAt ?? row.updatedAt;
  await tx
    .insert(ledgerEntries)
    .values({
      merchantId: row.merchantId,
      id: newId('ledgerEntry'),
      paymentId: row.id,
      refundId: null,
      sourceId: row.id,
      storeId: row.storeId,
      channel: row.channel,
      kind: 'payment',
      amountFen: row.amountFen,
      feeFen: feeFen(row.amountFen, row.feeRatePpm),
      costFen: feeFen(row.amountFen, row.costRatePpm),
      businessDate: businessDateOf(paidAt),
      occurredAt: paidAt,
    })
    .onConflictDoNothing();
}

/** Ledger entry, payer resolution and the domain event of a terminal state; returns the final row. */
async function announceTerminal(tx: Db, row: PaymentRow): Promise<PaymentRow> {
  if (row.status === 'succeeded') {
    await insertPaymentLedgerEntry(tx, row);
    const personId = await resolvePayer(tx, row.merchantId, row.payerIdentifiers as ChannelPayer[], row.id);
    const final = personId ? { ...row, personId } : row;
    if (personId) await tx.update(paymentOrders).set({ personId }).where(and(eq(paymentOrders.merchantId, row.merchantId), eq(paymentOrders.id, row.id)));
    await publishEvent(tx, row.merchantId, 'payment.succeeded', paymentEventPayload(final));
    return final;
  }
  await publishEvent(tx, row.merchantId, `payment.${row.status}`, paymentEventPayload(row));
  return row;
}

export type ApplyOutcome = 'changed' | 'unchanged' | 'ignored_terminal' | 'amount_mismatch' | 'late_success';

/** Reason of the automatic full refund of a payment the channel reported paid after we gave up on it. */
export const LATE_SUCCESS_REFUND_REASON = 'late_success_after_close';

/**
 * The channel says the buyer paid an order we already closed, reversed or failed (docs/decisions/
 * 0008-late-success.md): the order becomes late_paid — never succeeded, so no purpose is fulfilled
 * and no second success can exist — the money goes into the ledger, and a full refund is reserved
 * in the same transaction. The refund is sent to the channel after commit (lateSuccessFollowUp),
 * or by the refund worker if this process dies first.
 */
async function applyLateSuccess(tx: Db, payment: PaymentRow, status: ChannelTradeStatus, source: string): Promise<{ outcome: ApplyOutcome; payment: PaymentRow }> {
  if (status.amountFen !== null && status.amountFen !== payment.amountFen) {
    await recordPaymentEvent(tx, payment.merchantId, payment.id, 'amount_mismatch', { local_amount_fen: payment.amountFen, ...describeTradeStatus(status), source });
    return { outcome: 'amount_mismatch', payment };
  }
  const now = new Date();
  const [row] = await tx
    .update(paymentOrders)
    .set({ status: 'late_paid', channelTradeNo: status.channelTradeNo ?? payment.channelTradeNo, paidAt: status.paidAt ?? now, payerIdentifiers: [...status.payers], updatedAt: now })
    .where(and(eq(paymentOrders.merchantId, payment.merchantId), eq(paymentOrders.id, payment.id), inArray(paymentOrders.status, [...lateSuccessSources])))
    .returning();
  if (!row) return { outcome: 'unchanged', payment: await loadPayment(tx, payment.merchantId, payment.id) };
  await recordPaymentEvent(tx, payment.merchantId, payment.id, 'state_changed', { from: payment.status, to: 'late_paid', source });
  await recordPaymentEvent(tx, payment.merchantId, payment.id, 'late_success', { given_up_as: payment.status, failure_reason: payment.failureReason, ...describeTradeStatus(status), source });
  await insertPaymentLedgerEntry(tx, row);
  const refundId = newId('refund');
  await tx.insert(refunds).values({
    merchantId: row.merchantId,
    id: refundId,
    paymentId: row.id,
    storeId: row.storeId,
    channel: row.channel,
    outRefundNo: refundId,
    amountFen: row.amountFen,
    reason: LATE_SUCCESS_REFUND_REASON,
    status: 'processing',
    requestedBy: null,
  });
  await recordPaymentEvent(tx, row.merchantId, row.id, 'refund_requested', { amount_fen: row.amountFen, out_refund_no: refundId, reason: LATE_SUCCESS_REFUND_REASON, by: 'system' }, refundId);
  await publishEvent(tx, row.merchantId, 'payment.late_paid', { ...paymentEventPayload(row), refund_id: refundId, out_refund_no: refundId, refund_amount_fen: row.amountFen });
  return { outcome: 'late_success', payment: row };
}

// Sending the automatic refund needs the refund service, which depends on this file; it registers
// itself here (refunds.ts) instead of this file importing it back.
type LateSuccessFollowUp = (rt: PaymentsRuntime, payment: PaymentRow) => Promise<void>;
let lateSuccessFollowUp: LateSuccessFollowUp = async () => undefined;

export function setLateSuccessFollowUp(followUp: LateSuccessFollowUp): void {
  lateSuccessFollowUp = followUp;
}

/** After the transaction that made a payment late_paid: send its refund (errors are left to the worker). */
export async function followUpLateSuccess(rt: PaymentsRuntime, payment: PaymentRow): Promise<void> {
  await lateSuccessFollowUp(rt, payment);
}

/**
 * Applies what the channel says about a trade (notification, query, counter answer). Waiting states
 * change nothing; a terminal local state is never changed (the disagreement is recorded for 对账).
 */
export async function applyTradeStatus(tx: Db, payment: PaymentRow, status: ChannelTradeStatus, source: string): Promise<{ outcome: ApplyOutcome; payment: PaymentRow }> {
  const target = targetOfChannelState(status.state);
  if (target === null || target === payment.status) return { outcome: 'unchanged', payment };
  if (isTerminal(payment.status)) {
    if (target === 'succeeded' && lateSuccessSources.includes(payment.status) && chargedAtChannel(status.channelState)) return applyLateSuccess(tx, payment, status, source);
    await recordPaymentEvent(tx, payment.merchantId, payment.id, 'late_channel_state', { local_status: payment.status, ...describeTradeStatus(status), source });
    return { outcome: 'ignored_terminal', payment };
  }
  if (target === 'succeeded' && status.amountFen !== null && status.amountFen !== payment.amountFen) {
    await recordPaymentEvent(tx, payment.merchantId, payment.id, 'amount_mismatch', { local_amount_fen: payment.amountFen, ...describeTradeStatus(status), source });
    return { outcome: 'amount_mismatch', payment };
  }
  let current = payment;
  const now = new Date();
  for (const step of pathTo(current.status, target)) {
    const patch: TransitionPatch =
      step === 'succeeded'
        ? { channelTradeNo: status.channelTradeNo, paidAt: status.paidAt ?? now, payerIdentifiers: status.payers }
        : step === 'closed'
          ? { closedAt: now, channelTradeNo: status.channelTradeNo ?? current.channelTradeNo }
          : step === 'failed'
            ? { failureReason: status.channelState }
            : {};
    const next = await moveTo(tx, current, step, patch, source);
    if (!next) return { outcome: 'unchanged', payment: await loadPayment(tx, payment.merchantId, payment.id) };
    current = next;
  }
  return { outcome: 'changed', payment: current };
}

/** Queries the channel and applies the answer; the query itself goes on the timeline. */
export async function queryAndApply(rt: PaymentsRuntime, adapter: ChannelAdapter, payment: PaymentRow, source: string): Promise<{ payment: PaymentRow; status: ChannelTradeStatus }> {
  const status = await adapter.queryOrder(payment.outTradeNo);
  const result = await rt.db.transaction(async (tx) => {
    await recordPaymentEvent(tx, payment.merchantId, payment.id, 'channel_query', { ...describeTradeStatus(status), source });
    const fresh = await loadPayment(tx, payment.merchantId, payment.id);
    return applyTradeStatus(tx, fresh, status, source);
  });
  if (result.outcome === 'late_success') await followUpLateSuccess(rt, result.payment);
  return { payment: result.payment, status };
}

/**
 * Closes an unpaid order: at the channel first (a barcode order is reversed, which also returns the
 * buyer's money if they were charged meanwhile), then here. If the channel says it was paid after
 * all, the payment succeeds instead.
 */
export async function closeAtChannelAndHere(rt: PaymentsRuntime, adapter: ChannelAdapter, payment: PaymentRow, reason: string, source: string): Promise<PaymentRow> {
  try {
    if (payment.kind === 'barcode') await adapter.reverseOrder(payment.outTradeNo);
    else await adapter.closeOrder(payment.outTradeNo);
    await recordPaymentEvent(rt.db, payment.merchantId, payment.id, payment.kind === 'barcode' ? 'channel_reverse' : 'channel_close', { source, reason });
  } catch (error) {
    await recordPaymentEvent(rt.db, payment.merchantId, payment.id, 'channel_error', { operation: payment.kind === 'barcode' ? 'reverse' : 'close', error: error instanceof Error ? error.message : String(error), source });
    // ORDERPAID and friends: find out what really happened before deciding anything.
    const { payment: after, status } = await queryAndApply(rt, adapter, payment, source);
    if (isTerminal(after.status) || status.state !== 'not_found') return after;
  }
  return rt.db.transaction(async (tx) => {
    const fresh = await loadPayment(tx, payment.merchantId, payment.id);
    if (isTerminal(fresh.status)) return fresh;
    return (await moveTo(tx, fresh, 'closed', { closedAt: new Date(), failureReason: reason }, source)) ?? loadPayment(tx, payment.merchantId, payment.id);
  });
}

export async function closePayment(rt: PaymentsRuntime, ctx: AccessContext, paymentId: string): Promise<PaymentRow> {
  authorize(ctx, 'payments.collect');
  const payment = await getPayment(rt.db, ctx, paymentId);
  if (isTerminal(payment.status)) {
    if (payment.status === 'closed') return payment;
    throw paymentErrors.make('payment_not_closable', `the payment is ${payment.status}`);
  }
  const account = await accountOf(rt.db, payment);
  const adapter = await adapterFor(rt, account, ctx.operatorId);
  const closed = await closeAtChannelAndHere(rt, adapter, payment, 'closed_by_staff', `staff:${ctx.actor.id}`).catch((error: unknown) => {
    throw channelFailure(error);
  });
  await rt.db.transaction((tx) => appendAudit(tx, ctx, { action: 'payment.close', targetType: 'payment', targetId: paymentId, before: { status: payment.status }, after: { status: closed.status } }));
  if (closed.status === 'succeeded') throw paymentErrors.make('payment_not_closable', 'the buyer paid before the order could be closed');
  return closed;
}

/**
 * Staff ask the channel about a payment now (a buyer says they were charged for a closed order):
 * the answer goes through the same state machine, so a late success becomes late_paid and is refunded.
 */
export async function queryPaymentAtChannel(rt: PaymentsRuntime, ctx: AccessContext, paymentId: string): Promise<PaymentRow> {
  authorize(ctx, 'payments.collect');
  const payment = await getPayment(rt.db, ctx, paymentId);
  const adapter = await adapterFor(rt, await accountOf(rt.db, payment), ctx.operatorId);
  const { payment: after, status } = await queryAndApply(rt, adapter, payment, `staff:${ctx.actor.id}`).catch((error: unknown) => {
    throw channelFailure(error);
  });
  await rt.db.transaction((tx) =>
    appendAudit(tx, ctx, { action: 'payment.query_channel', targetType: 'payment', targetId: paymentId, before: { status: payment.status }, after: { status: after.status, channel_state: status.channelState } }),
  );
  return loadPayment(rt.db, after.merchantId, after.id);
}

export async function accountOf(db: Db, payment: PaymentRow): Promise<ChannelAccountRow> {
  const [row] = await db.select().from(channelAccounts).where(and(eq(channelAccounts.merchantId, payment.merchantId), eq(channelAccounts.id, payment.channelAccountId)));
  if (!row) throw paymentErrors.make('channel_not_configured', 'the channel account of this payment is gone');
  return row;
}

// ---- workers ----

export interface PassReport {
  readonly examined: number;
  readonly changed: number;
  readonly errors: number;
}

async function eachPending(rt: PaymentsRuntime, rows: PaymentRow[], work: (payment: PaymentRow, adapter: ChannelAdapter) => Promise<PaymentRow>): Promise<PassReport> {
  let changed = 0;
  let errors = 0;
  for (const payment of rows) {
    try {
      const account = await accountOf(rt.db, payment);
      const adapter = await adapterFor(rt, account, await operatorOf(rt.db, payment.merchantId));
      const after = await work(payment, adapter);
      if (after.status !== payment.status) changed += 1;
    } catch {
      // One unreachable channel must not stop the pass; the order is tried again next time.
      errors += 1;
    }
  }
  return { examined: rows.length, changed, errors };
}

/**
 * Late notifications: orders waiting at the channel for longer than `afterSeconds` are queried and
 * brought up to date. Runs from the workers; idempotent.
 */
export async function confirmPendingPayments(rt: PaymentsRuntime, now: Date, afterSeconds = 30, batch = 100): Promise<PassReport> {
  const rows = await rt.db
    .select()
    .from(paymentOrders)
    .where(and(inArray(paymentOrders.status, ['created', 'paying']), lte(paymentOrders.updatedAt, new Date(now.getTime() - afterSeconds * 1000)), sql`${paymentOrders.expiresAt} > ${now}`))
    .orderBy(asc(paymentOrders.updatedAt))
    .limit(batch);
  return eachPending(rt, rows, async (payment, adapter) => (await queryAndApply(rt, adapter, payment, 'worker.confirm')).payment);
}

/**
 * Orders given up on (closed) between `minAgeSeconds` and `maxAgeSeconds` ago are asked about once
 * more: a buyer charged after the close — a 付款码 order has no notification at all — then becomes
 * late_paid and is refunded without waiting for the bill. A `late_check` timeline entry marks each
 * order checked, so every order costs the channel one query (more only while it does not answer).
 */
export async function recheckGivenUpPayments(rt: PaymentsRuntime, now: Date, minAgeSeconds = 60, maxAgeSeconds = 900, batch = 100): Promise<PassReport> {
  const rows = await rt.db
    .select()
    .from(paymentOrders)
    .where(
      and(
        eq(paymentOrders.status, 'closed'),
        gte(paymentOrders.closedAt, new Date(now.getTime() - maxAgeSeconds * 1000)),
        lte(paymentOrders.closedAt, new Date(now.getTime() - minAgeSeconds * 1000)),
        sql`not exists (select 1 from ${paymentEvents} e where e.merchant_id = ${paymentOrders.merchantId} and e.payment_id = ${paymentOrders.id} and e.type = 'late_check')`,
      ),
    )
    .orderBy(asc(paymentOrders.closedAt))
    .limit(batch);
  return eachPending(rt, rows, async (payment, adapter) => {
    const { payment: after, status } = await queryAndApply(rt, adapter, payment, 'worker.late_check');
    await recordPaymentEvent(rt.db, payment.merchantId, payment.id, 'late_check', { channel_state: status.channelState, outcome: after.status });
    return after;
  });
}

/** Expired unpaid orders: query once more, then close (or reverse) them at the channel and here. */
export async function closeExpiredPayments(rt: PaymentsRuntime, now: Date, batch = 100): Promise<PassReport> {
  const rows = await rt.db
    .select()
    .from(paymentOrders)
    .where(and(inArray(paymentOrders.status, ['created', 'paying']), lte(paymentOrders.expiresAt, now)))
    .orderBy(asc(paymentOrders.expiresAt))
    .limit(batch);
  return eachPending(rt, rows, async (payment, adapter) => {
    const { payment: after } = await queryAndApply(rt, adapter, payment, 'worker.expire');
    if (isTerminal(after.status)) return after;
    return closeAtChannelAndHere(rt, adapter, after, 'expired', 'worker.expire');
  });
}
