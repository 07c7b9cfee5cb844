// 对账: a channel's daily bill against our orders and refunds. Each mismatch becomes a line that
// someone resolves — by asking the channel and applying its answer, or by writing down why.
import { and, asc, desc, eq, gte, inArray, lt, or } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { newId } from '../../kernel/ids.js';
import { appendAudit, authorize, clampLimit, pageOf, requireMerchantId, type AccessContext } from '../platform/index.js';
import type { ChannelName } from './channels/adapter.js';
import { alipayDetailsText, wechatpayBillText } from './channels/bill-archive.js';
import { parseChannelBill } from './channels/create-adapter.js';
import { parseShanghaiDateTime } from './channels/shanghai-time.js';
import { activeAccount } from './channel-config.js';
import { paymentErrors } from './errors.js';
import { matchBill, type BillRecord, type LocalRecord } from './bill-matching.js';
import { accountOf, adapterFor, channelFailure, findPaymentByOutTradeNo, queryAndApply, type PaymentsRuntime } from './payment-orders.js';
import { findRefundByNo, queryRefundAndApply } from './refunds.js';
import { lateSuccessSources, paidAtChannel, type PaymentStatus } from './payment-state.js';
import { assertDate } from './settlement.js';
import { paymentOrders, reconciliationLines, reconciliations, refunds } from './schema.js';

export type ReconciliationRow = typeof reconciliations.$inferSelect;
export type ReconciliationLineRow = typeof reconciliationLines.$inferSelect;

/** [start, end) of a Shanghai business day in UTC. */
function dayBounds(date: string): { start: Date; end: Date } {
  const start = parseShanghaiDateTime(`${date} 00:00:00`);
  if (!start) throw paymentErrors.make('bill_unreadable', 'date must be yyyy-MM-dd');
  return { start, end: new Date(start.getTime() + 24 * 3600 * 1000) };
}

async function localRecords(db: Db, merchantId: string, channel: ChannelName, date: string, bill: readonly BillRecord[]): Promise<LocalRecord[]> {
  const { start, end } = dayBounds(date);
  const billTradeNos = [...new Set(bill.map((b) => b.outTradeNo))];
  const billRefundNos = [...new Set(bill.flatMap((b) => (b.kind === 'refund' && b.outRefundNo ? [b.outRefundNo] : [])))];
  const inDay = (column: typeof paymentOrders.paidAt | typeof refunds.succeededAt) => and(gte(column, start), lt(column, end));
  const paymentRows = await db
    .select()
    .from(paymentOrders)
    .where(
      and(
        eq(paymentOrders.merchantId, merchantId),
        eq(paymentOrders.channel, channel),
        billTradeNos.length ? or(inDay(paymentOrders.paidAt), inArray(paymentOrders.outTradeNo, billTradeNos)) : inDay(paymentOrders.paidAt),
      ),
    );
  const refundRows = await db
    .select({ refund: refunds, outTradeNo: paymentOrders.outTradeNo })
    .from(refunds)
    .innerJoin(paymentOrders, and(eq(paymentOrders.merchantId, refunds.merchantId), eq(paymentOrders.id, refunds.paymentId)))
    .where(
      and(
        eq(refunds.merchantId, merchantId),
        eq(refunds.channel, channel),
        billRefundNos.length ? or(inDay(refunds.succeededAt), inArray(refunds.outRefundNo, billRefundNos)) : inDay(refunds.succeededAt),
      ),
    );
  const within = (at: Date | null) => at !== null && at >= start && at < end;
  return [
    ...paymentRows.map((p) => ({ kind: 'payment' as const, outTradeNo: p.outTradeNo, outRefundNo: null, amountFen: p.amountFen, status: p.status, succeededOnBillDate: paidAtChannel(p.status) && within(p.paidAt) })),
    ...refundRows.map(({ refund, outTradeNo }) => ({
      kind: 'refund' as const,
      outTradeNo,
      outRefundNo: refund.outRefundNo,
      amountFen: refund.amountFen,
      status: refund.status,
      succeededOnBillDate: refund.status === 'succeeded' && within(refund.succeededAt),
    })),
  ];
}

export interface ReconciliationInput {
  readonly channel: ChannelName;
  readonly date: string;
  /** The bill file's text; when absent (and no file) it is downloaded through the adapter. */
  readonly billText?: string | undefined;
  /** The bill file as the channel delivers it (Alipay ZIP of GBK CSVs, WeChat gzip) or the CSV in GBK/UTF-8. */
  readonly billFile?: Uint8Array | undefined;
}

export async function createReconciliation(rt: PaymentsRuntime, ctx: AccessContext, input: ReconciliationInput): Promise<{ reconciliation: ReconciliationRow; lines: ReconciliationLineRow[] }> {
  authorize(ctx, 'reconciliations.write');
  const merchantId = requireMerchantId(ctx);
  assertDate(input.date);
  let text = input.billText;
  if (text === undefined && input.billFile !== undefined) {
    try {
      text = input.channel === 'alipay' ? alipayDetailsText(input.billFile) : wechatpayBillText(input.billFile);
    } catch (error) {
      throw paymentErrors.make('bill_unreadable', error instanceof Error ? error.message : 'unreadable bill file');
    }
  }
  const source = text === undefined ? 'download' : 'upload';
  if (text === undefined) {
    const account = await activeAccount(rt.db, merchantId, input.channel);
    const adapter = await adapterFor(rt, account, ctx.operatorId);
    text = await adapter.downloadBill(input.date).catch((error: unknown) => {
      throw channelFailure(error);
    });
  }
  let bill: BillRecord[];
  try {
    bill = parseChannelBill(input.channel, text);
  } catch (error) {
    throw paymentErrors.make('bill_unreadable', error instanceof Error ? error.message : 'unreadable bill');
  }
  let local = await localRecords(rt.db, merchantId, input.channel, input.date, bill);
  // The bill says paid, we gave up on the order: ask the channel, which turns a real late success
  // into late_paid with its automatic refund (before matching, so the report shows the outcome).
  const givenUp = new Set(local.filter((l) => l.kind === 'payment' && lateSuccessSources.includes(l.status as PaymentStatus)).map((l) => l.outTradeNo));
  const toQuery = [...new Set(bill.filter((b) => b.kind === 'payment' && givenUp.has(b.outTradeNo)).map((b) => b.outTradeNo))];
  for (const outTradeNo of toQuery) {
    const payment = await findPaymentByOutTradeNo(rt.db, merchantId, input.channel, outTradeNo);
    if (!payment) continue;
    const adapter = await adapterFor(rt, await accountOf(rt.db, payment), ctx.operatorId);
    // A channel that does not answer leaves the line a plain status mismatch, to resolve later.
    await queryAndApply(rt, adapter, payment, 'reconciliation.import').catch(() => undefined);
  }
  if (toQuery.length) local = await localRecords(rt.db, merchantId, input.channel, input.date, bill);
  const result = matchBill(bill, local);
  return rt.db.transaction(async (tx) => {
    const id = newId('reconciliation');
    const [reconciliation] = await tx
      .insert(reconciliations)
      .values({ merchantId, id, channel: input.channel, billDate: input.date, source, billRecords: bill.length, matched: result.matched, mismatches: result.lines.length, createdBy: ctx.actor.id })
      .returning();
    const lines = result.lines.length
      ? await tx
          .insert(reconciliationLines)
          .values(
            result.lines.map((line) => ({
              merchantId,
              id: newId('reconciliationLine'),
              reconciliationId: id,
              kind: line.kind,
              recordKind: line.recordKind,
              outTradeNo: line.outTradeNo,
              outRefundNo: line.outRefundNo,
              localAmountFen: line.localAmountFen,
              channelAmountFen: line.channelAmountFen,
              localStatus: line.localStatus,
              channelStatus: line.channelStatus,
            })),
          )
          .returning()
      : [];
    await appendAudit(tx, ctx, { action: 'reconciliation.create', targetType: 'reconciliation', targetId: id, after: { channel: input.channel, date: input.date, source, matched: result.matched, mismatches: result.lines.length } });
    return { reconciliation: reconciliation!, lines: lines.sort((a, b) => a.id.localeCompare(b.id)) };
  });
}

export async function getReconciliation(db: Db, ctx: AccessContext, id: string): Promise<{ reconciliation: ReconciliationRow; lines: ReconciliationLineRow[] }> {
  authorize(ctx, 'reconciliations.read');
  const merchantId = requireMerchantId(ctx);
  const [reconciliation] = await db.select().from(reconciliations).where(and(eq(reconciliations.merchantId, merchantId), eq(reconciliations.id, id)));
  if (!reconciliation) throw paymentErrors.make('reconciliation_not_found');
  const lines = await db
    .select()
    .from(reconciliationLines)
    .where(and(eq(reconciliationLines.merchantId, merchantId), eq(reconciliationLines.reconciliationId, id)))
    .orderBy(asc(reconciliationLines.id));
  return { reconciliation, lines };
}

export async function listReconciliations(db: Db, ctx: AccessContext, filter: { channel?: string | undefined; date?: string | undefined; after?: string | undefined; limit?: number | undefined }) {
  authorize(ctx, 'reconciliations.read');
  const merchantId = requireMerchantId(ctx);
  const limit = clampLimit(filter.limit);
  const conditions = [eq(reconciliations.merchantId, merchantId)];
  if (filter.channel) conditions.push(eq(reconciliations.channel, filter.channel));
  if (filter.date) conditions.push(eq(reconciliations.billDate, filter.date));
  if (filter.after) conditions.push(lt(reconciliations.id, filter.after));
  const rows = await db.select().from(reconciliations).where(and(...conditions)).orderBy(desc(reconciliations.id)).limit(limit + 1);
  return pageOf(rows, limit);
}

export interface ResolveInput {
  readonly action: 'query_and_fix' | 'mark_explained';
  readonly note: string;
}

/**
 * query_and_fix asks the channel about the line's order or refund and applies the answer through the
 * same state machine as notifications; the line is fixed when the local record then agrees with the
 * channel's answer. Terminal local states are never rewritten: such lines stay open for a person.
 */
export async function resolveLine(rt: PaymentsRuntime, ctx: AccessContext, reconciliationId: string, lineId: string, input: ResolveInput): Promise<ReconciliationLineRow> {
  authorize(ctx, 'reconciliations.write');
  const merchantId = requireMerchantId(ctx);
  const { reconciliation, lines } = await getReconciliation(rt.db, ctx, reconciliationId);
  const line = lines.find((l) => l.id === lineId);
  if (!line) throw paymentErrors.make('reconciliation_not_found', 'line not found');
  if (line.resolution !== 'open') throw paymentErrors.make('line_already_resolved');
  let resolution = 'explained';
  let note = input.note;
  if (input.action === 'query_and_fix') {
    const payment = await findPaymentByOutTradeNo(rt.db, merchantId, reconciliation.channel as ChannelName, line.outTradeNo);
    if (!payment) {
      note = `${input.note} — no local order ${line.outTradeNo}: cannot be fixed by a query`;
      resolution = 'open';
    } else {
      const adapter = await adapterFor(rt, await accountOf(rt.db, payment), ctx.operatorId);
      try {
        if (line.recordKind === 'payment') {
          const { payment: after, status } = await queryAndApply(rt, adapter, payment, `reconciliation:${reconciliationId}`);
          const bothPaid = status.state === 'succeeded' && paidAtChannel(after.status) && (status.amountFen === null || status.amountFen === after.amountFen);
          const bothUnpaid = (status.state === 'closed' || status.state === 'failed') && (after.status === 'closed' || after.status === 'failed');
          resolution = bothPaid || bothUnpaid ? 'fixed' : 'open';
          note = `${input.note} — channel: ${status.channelState}, local: ${after.status}`;
        } else {
          const refund = line.outRefundNo ? await findRefundByNo(rt.db, merchantId, line.outRefundNo) : null;
          if (!refund) {
            note = `${input.note} — no local refund ${line.outRefundNo ?? ''}`;
            resolution = 'open';
          } else {
            const result = await queryRefundAndApply(rt.db, adapter, refund, payment.outTradeNo, `reconciliation:${reconciliationId}`);
            resolution = result.refund.status === 'succeeded' && result.status.state === 'succeeded' ? 'fixed' : 'open';
            note = `${input.note} — channel: ${result.status.channelState}, local: ${result.refund.status}`;
          }
        }
      } catch (error) {
        throw channelFailure(error);
      }
    }
  }
  return rt.db.transaction(async (tx) => {
    const [row] = await tx
      .update(reconciliationLines)
      .set({ resolution, note, resolvedBy: resolution === 'open' ? null : ctx.actor.id, resolvedAt: resolution === 'open' ? null : new Date() })
      .where(and(eq(reconciliationLines.merchantId, merchantId), eq(reconciliationLines.id, lineId), eq(reconciliationLines.resolution, 'open')))
      .returning();
    if (!row) throw paymentErrors.make('line_already_resolved');
    await appendAudit(tx, ctx, { action: `reconciliation.${input.action}`, targetType: 'reconciliation_line', targetId: lineId, after: { resolution, note } });
    return row;
  });
}
