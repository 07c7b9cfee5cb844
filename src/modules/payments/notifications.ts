// Channel notifications (支付结果通知 / 异步通知): verified by the adapter, stored once under the
// channel's notification id, then applied exactly once — the stored row is locked and marked
// processed in the same transaction as the state change, so concurrent duplicates and a crash
// between "received" and "processed" both end in exactly one effect.
import { and, asc, eq, isNull, lte } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { newId } from '../../kernel/ids.js';
import type { ChannelHttpAnswer, ChannelName, ChannelNotification, ChannelRefundStatus, ChannelTradeStatus } from './channels/adapter.js';
import { accountById } from './channel-config.js';
import { adapterFor, applyTradeStatus, describeTradeStatus, findPaymentByOutTradeNo, followUpLateSuccess, operatorOf, recordPaymentEvent, type PaymentsRuntime } from './payment-orders.js';
import { applyRefundStatus, findRefundByNo } from './refunds.js';
import { notifications } from './schema.js';

export type NotificationRow = typeof notifications.$inferSelect;

/** For an account we do not know there is no adapter to ask; answer in the channel's failure shape. */
function unknownAccountAnswer(channel: ChannelName): ChannelHttpAnswer {
  return channel === 'wechatpay'
    ? { status: 404, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: 'FAIL', message: '失败' }) }
    : { status: 200, headers: { 'content-type': 'text/plain' }, body: 'fail' };
}

export interface NotificationResult {
  readonly answer: ChannelHttpAnswer;
  readonly accepted: boolean;
  readonly rejection?: string;
}

export async function handleChannelNotification(
  rt: PaymentsRuntime,
  request: { channel: ChannelName; accountId: string; headers: Record<string, string | string[] | undefined>; rawBody: string; now: Date },
): Promise<NotificationResult> {
  const account = await accountById(rt.db, request.accountId);
  if (!account || account.channel !== request.channel) return { answer: unknownAccountAnswer(request.channel), accepted: false, rejection: 'unknown_account' };
  const adapter = await adapterFor(rt, account, await operatorOf(rt.db, account.merchantId));
  const parsed = await adapter.parseNotification({ headers: request.headers, rawBody: request.rawBody, now: request.now });
  if (!parsed.ok) return { answer: adapter.acknowledge(false), accepted: false, rejection: parsed.reason };
  // Duplicates arriving together in this process share one store-and-apply; across processes the
  // unique notification id and the locked row keep it to one effect.
  const key = `${account.id}:${parsed.notification.notificationId}`;
  let work = inFlight.get(key);
  if (!work) {
    const notification = parsed.notification;
    work = (async () => {
      const row = await recordNotification(rt.db, account, notification, request.now);
      // A duplicate of one already applied needs no transaction at all.
      if (row.processedAt) return;
      const outcome = await processNotification(rt.db, row.merchantId, row.id);
      if (outcome === 'late_success') {
        // Paid after we gave up: the full refund was reserved with the state change; send it now.
        const payment = await findPaymentByOutTradeNo(rt.db, row.merchantId, row.channel as ChannelName, row.outTradeNo);
        if (payment) await followUpLateSuccess(rt, payment);
      }
    })().finally(() => inFlight.delete(key));
    inFlight.set(key, work);
  }
  await work;
  return { answer: adapter.acknowledge(true), accepted: true };
}

const inFlight = new Map<string, Promise<void>>();

/** Step one: keep the verified notification (once per channel notification id). */
export async function recordNotification(db: Db, account: { merchantId: string; id: string; channel: string }, notification: ChannelNotification, receivedAt: Date): Promise<NotificationRow> {
  const outTradeNo = notification.kind === 'payment' ? notification.status.outTradeNo : notification.outTradeNo;
  const [inserted] = await db
    .insert(notifications)
    .values({
      merchantId: account.merchantId,
      id: newId('paymentNotification'),
      channel: account.channel,
      channelAccountId: account.id,
      notificationId: notification.notificationId,
      kind: notification.kind,
      outTradeNo,
      outRefundNo: notification.kind === 'refund' ? notification.status.outRefundNo : null,
      content: JSON.parse(JSON.stringify(notification)) as object,
      receivedAt,
    })
    .onConflictDoNothing({ target: [notifications.merchantId, notifications.channel, notifications.notificationId] })
    .returning();
  if (inserted) return inserted;
  const [existing] = await db
    .select()
    .from(notifications)
    .where(and(eq(notifications.merchantId, account.merchantId), eq(notifications.channel, account.channel), eq(notifications.notificationId, notification.notificationId)));
  return existing!;
}

const asDate = (value: unknown): Date | null => (typeof value === 'string' ? new Date(value) : null);

/** Stored JSON back into the adapter's shape (dates were serialised as ISO strings). */
function revive(content: unknown): ChannelNotification {
  const n = content as ChannelNotification & { status: Record<string, unknown> };
  if (n.kind === 'payment') return { ...n, status: { ...(n.status as unknown as ChannelTradeStatus), paidAt: asDate(n.status.paidAt) } };
  return { ...n, status: { ...(n.status as unknown as ChannelRefundStatus), succeededAt: asDate(n.status.succeededAt) } } as ChannelNotification;
}

/** Step two: apply it, exactly once. Returns the outcome recorded on the row. */
export async function processNotification(db: Db, merchantId: string, rowId: string): Promise<string> {
  return db.transaction(async (tx) => {
    const [row] = await tx.select().from(notifications).where(and(eq(notifications.merchantId, merchantId), eq(notifications.id, rowId))).for('update');
    if (!row) return 'missing';
    if (row.processedAt) return row.outcome ?? 'processed';
    const notification = revive(row.content);
    const payment = await findPaymentByOutTradeNo(tx, merchantId, row.channel as ChannelName, row.outTradeNo);
    let outcome: string;
    if (!payment) outcome = 'unknown_order';
    else if (notification.kind === 'payment') {
      await recordPaymentEvent(tx, merchantId, payment.id, 'notification_applied', { notification_id: row.notificationId, ...describeTradeStatus(notification.status) });
      outcome = (await applyTradeStatus(tx, payment, notification.status, 'notification')).outcome;
    } else {
      const refund = await findRefundByNo(tx, merchantId, notification.status.outRefundNo);
      if (!refund || refund.paymentId !== payment.id) outcome = 'unknown_refund';
      else outcome = (await applyRefundStatus(tx, refund, notification.status, 'notification')).changed ? 'changed' : 'unchanged';
    }
    await tx
      .update(notifications)
      .set({ processedAt: new Date(), outcome, paymentId: payment?.id ?? null })
      .where(and(eq(notifications.merchantId, merchantId), eq(notifications.id, rowId)));
    return outcome;
  });
}

/** Recovery pass: notifications received but not processed (the process died in between). */
export async function processStoredNotifications(db: Db, now: Date, olderThanSeconds = 10, batch = 100): Promise<{ processed: number; errors: number }> {
  const rows = await db
    .select({ merchantId: notifications.merchantId, id: notifications.id })
    .from(notifications)
    .where(and(isNull(notifications.processedAt), lte(notifications.receivedAt, new Date(now.getTime() - olderThanSeconds * 1000))))
    .orderBy(asc(notifications.receivedAt))
    .limit(batch);
  let processed = 0;
  let errors = 0;
  for (const row of rows) {
    try {
      await processNotification(db, row.merchantId, row.id);
      processed += 1;
    } catch {
      errors += 1;
    }
  }
  return { processed, errors };
}
