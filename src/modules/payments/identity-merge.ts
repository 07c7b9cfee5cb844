// Payments' part in an ID+ merge: the payer person of every payment the absorbed person made moves
// to the survivor, and the record names exactly those payments, so an unmerge moves back exactly
// them — payments made by the survivor while the merge stood stay the survivor's. Payment orders are
// the only payments rows keyed by person (refunds and ledger entries name their payment).
import { and, eq, inArray } from 'drizzle-orm';
import { registerMergeHandler, type MergeHandler, type MoveRecord } from '../identity/index.js';
import { paymentOrders } from './schema.js';

interface PaymentsMove {
  readonly payment_ids: string[];
}

function paymentIdsOf(record: MoveRecord): string[] {
  const ids = (record as PaymentsMove | null)?.payment_ids;
  return Array.isArray(ids) ? ids : [];
}

export const paymentsMergeHandler: MergeHandler = {
  module: 'payments',
  async merge(tx, _ctx, { merchantId, survivorId, absorbedId }) {
    const moved = await tx
      .update(paymentOrders)
      .set({ personId: survivorId })
      .where(and(eq(paymentOrders.merchantId, merchantId), eq(paymentOrders.personId, absorbedId)))
      .returning({ id: paymentOrders.id });
    // Audited by identity's merge entry (with these counts), written after every handler.
    return { payment_ids: moved.map((row) => row.id).sort() };
  },
  async unmerge(tx, _ctx, record, { merchantId, survivorId, absorbedId }) {
    const paymentIds = paymentIdsOf(record);
    if (!paymentIds.length) return;
    // Only payments still on the survivor: a payment is never re-assigned otherwise, so this is all of them.
    await tx
      .update(paymentOrders)
      .set({ personId: absorbedId })
      .where(and(eq(paymentOrders.merchantId, merchantId), eq(paymentOrders.personId, survivorId), inArray(paymentOrders.id, paymentIds)));
  },
  summary(record) {
    return { payments: paymentIdsOf(record).length };
  },
};

export function registerPaymentsMergeHandler(): void {
  registerMergeHandler(paymentsMergeHandler);
}
