// Membership's reactions to payments (in-process subscribers, platform event-subscribers.ts):
//   membership.payments  — payment.succeeded / refunded / failed / closed:
//     purpose membership/checkout → complete, release, or mark the refund (checkout-payments.ts);
//     purpose membership/top_up   → credit, fail, or mark the refund (top-ups.ts);
//     anything else               → accrual for the payer's member (reference: the payment id), and
//                                   reversal of the refunded part (reference: the refund id);
//   membership.retro-earn — member.joined: the new member earns their payments of the retro window.
// Each subscriber runs in the transaction that marks its consumption done; every effect is also
// keyed by a reference claimed once, so a replay — or the request path that got there first — is
// harmless.
import { and, eq, gte, isNull } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { AppError } from '../../kernel/errors.js';
import type { PaymentEventPayload } from '../payments/index.js';
import { findMerchantById, subscribeToEvents, systemContext, type AccessContext, type DomainEvent } from '../platform/index.js';
import { applyCheckoutPaymentRefund, completeCheckoutInTransaction, releaseCheckoutInTransaction } from './checkout-payments.js';
import { earnInTransaction, reverseInTransaction } from './points-ledger.js';
import { memberForPerson } from './member-of-person.js';
import { loadProgram } from './program.js';
import { appliedReferences, members, pointsLots, retroAccruals } from './schema.js';
import { applyTopUpPaymentRefund, creditPaidTopUpInTransaction, failTopUpInTransaction } from './top-ups.js';

const hourMs = 3_600_000;

/** The system acting for membership in one merchant (audit entries say so). */
export async function membershipSystemContext(db: Db, merchantId: string, purpose = 'membership.payments'): Promise<AccessContext> {
  const merchant = await findMerchantById(db, merchantId);
  if (!merchant) throw new Error(`merchant ${merchantId} not found`);
  return systemContext(merchant.operatorId, merchantId, purpose);
}

async function applied(tx: Db, merchantId: string, kind: string, reference: string): Promise<boolean> {
  const [row] = await tx
    .select({ kind: appliedReferences.kind })
    .from(appliedReferences)
    .where(and(eq(appliedReferences.merchantId, merchantId), eq(appliedReferences.kind, kind), eq(appliedReferences.reference, reference)));
  return row !== undefined;
}

/**
 * Accrual for a plain payment (store QR, counter, another module's purpose): the payer's person is
 * a member of this merchant → earn on the amount, once (reference: the payment id). A member who
 * joined after paying earns only within the program's retro window; a payer who is not a member yet
 * is remembered for that window (membership_retro_accruals).
 */
export async function accruePayment(tx: Db, ctx: AccessContext, merchantId: string, p: PaymentEventPayload, now: Date): Promise<'earned' | 'remembered' | 'none'> {
  if (!p.person_id) return 'none';
  if (await applied(tx, merchantId, 'points.earn', p.payment_id)) return 'none';
  const paidAt = p.paid_at ? new Date(p.paid_at) : now;
  // The payer as of now: an event from before an ID+ merge names the absorbed person (member-of-person.ts).
  const { personId, member } = await memberForPerson(tx, merchantId, p.person_id);
  const program = await loadProgram(tx, merchantId);
  const netFen = p.amount_fen - p.refunded_fen;
  if (member) {
    if (member.status !== 'active' || netFen <= 0) return 'none';
    if (member.joinedAt.getTime() > paidAt.getTime() + program.retroEarnHours * hourMs) return 'none';
    await earnInTransaction(tx, ctx, merchantId, member.id, { amountFen: netFen, storeId: p.store_id, reference: p.payment_id }, paidAt);
    return 'earned';
  }
  await tx
    .insert(retroAccruals)
    .values({ merchantId, paymentId: p.payment_id, personId, storeId: p.store_id, amountFen: p.amount_fen, refundedFen: p.refunded_fen, paidAt })
    .onConflictDoNothing();
  return 'remembered';
}

/** The refunded part of an earning payment takes its points back exactly (reference: the refund id). */
export async function reversePaymentRefund(tx: Db, ctx: AccessContext, merchantId: string, p: PaymentEventPayload, now: Date): Promise<void> {
  if (!p.refund_id || !p.refund_amount_fen) return;
  // Not earned yet (a payer who may still join): what is left to earn on shrinks instead.
  await tx
    .update(retroAccruals)
    .set({ refundedFen: p.refunded_fen })
    .where(and(eq(retroAccruals.merchantId, merchantId), eq(retroAccruals.paymentId, p.payment_id), isNull(retroAccruals.claimedByMemberId)));
  if (await applied(tx, merchantId, 'points.reverse', p.refund_id)) return;
  const [lot] = await tx
    .select({ memberId: pointsLots.memberId })
    .from(pointsLots)
    .where(and(eq(pointsLots.merchantId, merchantId), eq(pointsLots.sourceRef, p.payment_id), eq(pointsLots.source, 'purchase')));
  if (!lot) return;
  await reverseInTransaction(tx, ctx, merchantId, lot.memberId, { reference: p.payment_id, refundReference: p.refund_id, refundAmountFen: p.refund_amount_fen }, now);
}

/** Errors that mean "nothing here for us" (a purpose naming no row of ours, a refund past the earn): retrying cannot help. */
const NOTHING_TO_DO = new Set(['checkout_not_found', 'top_up_not_found', 'refund_exceeds_purchase']);

export async function handlePaymentEvent(tx: Db, event: DomainEvent, now = new Date()): Promise<void> {
  try {
    // A savepoint, so that a refusal leaves no half-written effect behind when it is swallowed.
    await tx.transaction((savepoint) => applyPaymentEvent(savepoint, event, now));
  } catch (error) {
    if (error instanceof AppError && NOTHING_TO_DO.has(error.code)) return;
    throw error;
  }
}

async function applyPaymentEvent(tx: Db, event: DomainEvent, now: Date): Promise<void> {
  const p = event.payload as unknown as PaymentEventPayload;
  const merchantId = event.merchantId;
  const ctx = await membershipSystemContext(tx, merchantId);
  const purpose = p.purpose?.module === 'membership' ? p.purpose : null;
  if (purpose?.kind === 'checkout') {
    if (event.type === 'payment.succeeded') await completeCheckoutInTransaction(tx, ctx, merchantId, purpose.reference, { paymentId: p.payment_id }, now);
    else if (event.type === 'payment.failed' || event.type === 'payment.closed') await releaseCheckoutInTransaction(tx, ctx, merchantId, purpose.reference, { reason: `payment ${p.status}`, paymentId: p.payment_id }, now);
    else if (event.type === 'payment.refunded' && p.refund_id) await applyCheckoutPaymentRefund(tx, ctx, merchantId, purpose.reference, { refundId: p.refund_id, outRefundNo: p.out_refund_no ?? null, amountFen: p.refund_amount_fen ?? 0 });
    return;
  }
  if (purpose?.kind === 'top_up') {
    if (event.type === 'payment.succeeded') await creditPaidTopUpInTransaction(tx, ctx, merchantId, purpose.reference, { paymentId: p.payment_id }, now);
    else if (event.type === 'payment.failed' || event.type === 'payment.closed') await failTopUpInTransaction(tx, merchantId, purpose.reference, { paymentId: p.payment_id, reason: `payment ${p.status}` }, now);
    else if (event.type === 'payment.refunded' && p.refund_id) {
      await applyTopUpPaymentRefund(tx, ctx, merchantId, purpose.reference, { refundId: p.refund_id, outRefundNo: p.out_refund_no ?? null, amountFen: p.refund_amount_fen ?? 0 }, now);
      // A top-up that earned points (program setting) gives them back with its principal.
      await reversePaymentRefund(tx, ctx, merchantId, p, now);
    }
    return;
  }
  if (purpose) return; // another membership purpose: not ours to accrue
  if (event.type === 'payment.succeeded') await accruePayment(tx, ctx, merchantId, p, now);
  else if (event.type === 'payment.refunded') await reversePaymentRefund(tx, ctx, merchantId, p, now);
}

/** member.joined: payments of the same person within the retro window before joining earn now. */
export async function claimRetroAccruals(tx: Db, merchantId: string, memberId: string, now = new Date()): Promise<number> {
  const [member] = await tx
    .select()
    .from(members)
    .where(and(eq(members.merchantId, merchantId), eq(members.id, memberId)));
  if (!member?.personId || member.status !== 'active') return 0;
  const program = await loadProgram(tx, merchantId);
  const since = new Date(member.joinedAt.getTime() - program.retroEarnHours * hourMs);
  const open = await tx
    .select()
    .from(retroAccruals)
    .where(and(eq(retroAccruals.merchantId, merchantId), eq(retroAccruals.personId, member.personId), isNull(retroAccruals.claimedByMemberId), gte(retroAccruals.paidAt, since)))
    .for('update');
  const ctx = await membershipSystemContext(tx, merchantId, 'membership.retro-earn');
  let earned = 0;
  for (const row of open) {
    await tx
      .update(retroAccruals)
      .set({ claimedByMemberId: memberId })
      .where(and(eq(retroAccruals.merchantId, merchantId), eq(retroAccruals.paymentId, row.paymentId)));
    const net = row.amountFen - row.refundedFen;
    if (net <= 0 || (await applied(tx, merchantId, 'points.earn', row.paymentId))) continue;
    earned += (await earnInTransaction(tx, ctx, merchantId, memberId, { amountFen: net, storeId: row.storeId, reference: row.paymentId }, row.paidAt)).points;
  }
  void now;
  return earned;
}

let registered = false;

/** Registers membership's subscribers (once, when the module's index loads). */
export function registerMembershipPaymentSubscribers(): void {
  if (registered) return;
  registered = true;
  subscribeToEvents({
    name: 'membership.payments',
    types: ['payment.succeeded', 'payment.refunded', 'payment.failed', 'payment.closed'],
    handle: (tx, event) => handlePaymentEvent(tx, event),
  });
  subscribeToEvents({
    name: 'membership.retro-earn',
    types: ['member.joined'],
    handle: async (tx, event) => {
      const memberId = (event.payload as { member_id?: string }).member_id;
      if (memberId) await claimRetroAccruals(tx, event.merchantId, memberId);
    },
  });
}
