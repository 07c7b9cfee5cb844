// 付款码 at the counter: the cashier scans the buyer's code, the code's prefix picks the channel, and
// the order is charged at once. When the buyer must still confirm (WeChat USERPAYING, Alipay 10003)
// we query a few times; if they never confirm, the order is reversed at the channel before it is
// closed here, so that a buyer is never charged for an order the counter gave up on.
import { setTimeout as sleep } from 'node:timers/promises';
import { requireMerchantId, type AccessContext } from '../platform/index.js';
import { ChannelError, type ChannelAdapter, type ChannelTradeStatus } from './channels/adapter.js';
import { routeBarcode } from './counter/barcode-route.js';
import { activeAccount } from './channel-config.js';
import { paymentErrors } from './errors.js';
import {
  adapterFor,
  applyTradeStatus,
  assertCollectableStore,
  describeTradeStatus,
  insertOrder,
  loadPayment,
  moveTo,
  orderRequest,
  recordPaymentEvent,
  type PaymentPurpose,
  type PaymentRow,
  type PaymentsRuntime,
} from './payment-orders.js';
import { isTerminal } from './payment-state.js';

export interface BarcodePaymentInput {
  readonly storeId: string;
  readonly amountFen: number;
  readonly authCode: string;
  readonly merchantOrderNo?: string | undefined;
  readonly description?: string | undefined;
  readonly desk?: string | undefined;
  readonly purpose?: PaymentPurpose | undefined;
}

const waiting = (status: ChannelTradeStatus) => status.state === 'paying' || status.state === 'pending';

async function apply(rt: PaymentsRuntime, payment: PaymentRow, status: ChannelTradeStatus, source: string): Promise<PaymentRow> {
  return rt.db.transaction(async (tx) => {
    await recordPaymentEvent(tx, payment.merchantId, payment.id, source === 'counter.pay' ? 'channel_pay' : 'channel_query', { ...describeTradeStatus(status), source });
    const fresh = await loadPayment(tx, payment.merchantId, payment.id);
    return (await applyTradeStatus(tx, fresh, status, source)).payment;
  });
}

async function safeQuery(adapter: ChannelAdapter, payment: PaymentRow): Promise<ChannelTradeStatus | null> {
  try {
    return await adapter.queryOrder(payment.outTradeNo);
  } catch {
    return null;
  }
}

export async function collectWithBarcode(rt: PaymentsRuntime, ctx: AccessContext, input: BarcodePaymentInput): Promise<PaymentRow> {
  await assertCollectableStore(rt.db, ctx, input.storeId);
  const merchantId = requireMerchantId(ctx);
  const route = routeBarcode(input.authCode);
  if (!route.ok) {
    throw route.reason === 'unsupported_channel'
      ? paymentErrors.make('barcode_channel_unsupported', `${route.channel} payment codes are not accepted`)
      : paymentErrors.make('barcode_unrecognised');
  }
  const account = await activeAccount(rt.db, merchantId, route.channel);
  const adapter = await adapterFor(rt, account, ctx.operatorId);
  const created = await insertOrder(rt, ctx, {
    merchantId,
    storeId: input.storeId,
    account,
    kind: 'barcode',
    amountFen: input.amountFen,
    description: input.description ?? 'MemberPlus',
    merchantOrderNo: input.merchantOrderNo,
    desk: input.desk,
    purpose: input.purpose,
  });
  // Paying before the call: from here on the order may exist at the channel, and every pass treats it so.
  let payment = (await rt.db.transaction((tx) => moveTo(tx, created, 'paying', {}, 'counter.pay'))) ?? created;

  let status: ChannelTradeStatus | null;
  try {
    status = await adapter.payWithAuthCode({ ...orderRequest(rt, payment, account), authCode: route.authCode });
  } catch (error) {
    await recordPaymentEvent(rt.db, merchantId, payment.id, 'channel_error', { operation: 'pay', error: error instanceof Error ? error.message : String(error) });
    if (error instanceof ChannelError && error.kind === 'rejected') {
      // Refused outright (bad code, insufficient funds): nothing was charged.
      return rt.db.transaction(async (tx) => (await moveTo(tx, payment, 'failed', { failureReason: error.channelCode }, 'counter.pay')) ?? loadPayment(tx, merchantId, payment.id));
    }
    // Unknown outcome: the query decides.
    status = await safeQuery(adapter, payment);
  }
  if (status) payment = await apply(rt, payment, status, 'counter.pay');

  for (let attempt = 0; attempt < rt.config.PAYMENTS_POLL_ATTEMPTS && !isTerminal(payment.status) && (status === null || waiting(status)); attempt += 1) {
    await sleep(rt.config.PAYMENTS_POLL_INTERVAL_MS);
    status = await safeQuery(adapter, payment);
    if (status) payment = await apply(rt, payment, status, 'counter.poll');
  }
  if (isTerminal(payment.status)) return payment;
  if (status?.state === 'not_found') {
    // The channel never saw the order: nothing to reverse.
    return rt.db.transaction(async (tx) => (await moveTo(tx, payment, 'failed', { failureReason: 'not_found_at_channel' }, 'counter.give_up')) ?? loadPayment(tx, merchantId, payment.id));
  }
  return giveUp(rt, adapter, payment);
}

/** Reverse at the channel, then close here. If the reverse fails the order stays paying for the worker. */
async function giveUp(rt: PaymentsRuntime, adapter: ChannelAdapter, payment: PaymentRow): Promise<PaymentRow> {
  try {
    await adapter.reverseOrder(payment.outTradeNo);
  } catch (error) {
    await recordPaymentEvent(rt.db, payment.merchantId, payment.id, 'channel_error', { operation: 'reverse', error: error instanceof Error ? error.message : String(error) });
    const status = await safeQuery(adapter, payment);
    if (status) return apply(rt, payment, status, 'counter.give_up');
    return loadPayment(rt.db, payment.merchantId, payment.id);
  }
  return rt.db.transaction(async (tx) => {
    await recordPaymentEvent(tx, payment.merchantId, payment.id, 'channel_reverse', { source: 'counter.give_up', reason: 'buyer_did_not_confirm' });
    const fresh = await loadPayment(tx, payment.merchantId, payment.id);
    if (isTerminal(fresh.status)) return fresh;
    return (await moveTo(tx, fresh, 'closed', { closedAt: new Date(), failureReason: 'buyer_did_not_confirm' }, 'counter.give_up')) ?? loadPayment(tx, payment.merchantId, payment.id);
  });
}
