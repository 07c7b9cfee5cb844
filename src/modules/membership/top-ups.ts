// Stored-value top-ups paid through the payments module (docs/decisions/0006 door):
//   order (cap checked, room of other unpaid top-ups reserved, plan bonus fixed) → startPayment with
//   purpose {membership, top_up, <top-up id>} → credited once when the payment succeeds (request,
//   subscriber or sweep — a guarded transition on the locked top-up row) → unused principal refunded
//   back through payments (debited first, so it cannot be spent while the refund is under way).
// Lock order: the member's stored-value card, then the top-up row (as every stored-value operation).
import { and, asc, desc, eq, isNull, lt, sql } from 'drizzle-orm';
import type { Config } from '../../config.js';
import type { Db } from '../../db/client.js';
import { AppError } from '../../kernel/errors.js';
import { newId } from '../../kernel/ids.js';
import { getPaymentSummary, refundPayment, startPayment, type StartedPayment } from '../payments/index.js';
import { appendAudit, authorize, requireMerchantId, type AccessContext } from '../platform/index.js';
import type { PaymentMethodInput } from './checkout-payments.js';
import { membershipErrors } from './errors.js';
import { findMember } from './members.js';
import { forwardToSurvivor, lockCardAndHolder, pullBackFromSurvivor } from './merged-forward.js';
import { survivingMemberId } from './merged-members.js';
import { earnInTransaction } from './points-ledger.js';
import { loadProgram } from './program.js';
import { appliedReferences, topUpRefunds, topUps } from './schema.js';
import { assertStore } from './stores.js';
import { bonusForTopUp, checkCap } from './stored-value-split.js';
import { creditTopUpInTransaction, lockStoredValueAccount, moveForTopUpRefundInTransaction, REAL_NAME_THRESHOLD_FEN } from './stored-value.js';

export type TopUpRow = typeof topUps.$inferSelect;
export type TopUpRefundRow = typeof topUpRefunds.$inferSelect;

export const topUpPurpose = (topUpId: string) => ({ module: 'membership', kind: 'top_up', reference: topUpId });

async function loadTopUp(db: Db, merchantId: string, topUpId: string, lock = false): Promise<TopUpRow> {
  const query = db
    .select()
    .from(topUps)
    .where(and(eq(topUps.merchantId, merchantId), eq(topUps.id, topUpId)));
  const [row] = lock ? await query.for('update') : await query;
  if (!row) throw membershipErrors.make('top_up_not_found');
  return row;
}

export interface TopUpOrderInput {
  readonly memberId: string;
  readonly storeId: string;
  readonly amountFen: number;
  readonly method: PaymentMethodInput;
}

/**
 * Orders a top-up and charges it. The cap is checked before anything is charged, counting the value
 * of the member's other top-ups still awaiting payment, so two open QR codes cannot pass it together.
 */
export async function orderTopUp(db: Db, config: Config, ctx: AccessContext, input: TopUpOrderInput): Promise<{ topUp: TopUpRow; payment: StartedPayment | null }> {
  authorize(ctx, 'membership.stored_value.top_up');
  const merchantId = requireMerchantId(ctx);
  await assertStore(db, ctx, input.storeId);
  const { row, programName } = await db.transaction(async (tx) => {
    const account = await lockStoredValueAccount(tx, merchantId, input.memberId);
    const member = await findMember(tx, merchantId, input.memberId);
    if (member.status !== 'active' || account.status !== 'active') throw membershipErrors.make('member_inactive');
    if (input.amountFen >= REAL_NAME_THRESHOLD_FEN && !member.phone && !member.personId) throw membershipErrors.make('real_name_required');
    const program = await loadProgram(tx, merchantId);
    const bonusFen = bonusForTopUp(program.topUpPlans.map((p) => ({ payFen: p.pay_fen, bonusFen: p.bonus_fen })), input.amountFen);
    const [open] = await tx
      .select({ fen: sql<string>`coalesce(sum(${topUps.principalFen} + ${topUps.bonusFen}), 0)::text` })
      .from(topUps)
      .where(and(eq(topUps.merchantId, merchantId), eq(topUps.memberId, input.memberId), eq(topUps.status, 'awaiting_payment')));
    const reserved = Number(open?.fen ?? 0);
    const cap = checkCap({ principalFen: account.principalFen + reserved, bonusFen: account.bonusFen }, input.amountFen + bonusFen, account.capFen ?? program.storedValueCapFen);
    if (!cap.ok) throw membershipErrors.make('stored_value_cap_exceeded', `the card can take ${cap.roomFen} fen more${reserved ? ` (${reserved} fen held by unpaid top-ups)` : ''}`, { room_fen: cap.roomFen });
    const now = new Date();
    const [created] = await tx
      .insert(topUps)
      .values({
        merchantId,
        id: newId('topUp'),
        memberId: input.memberId,
        storeId: input.storeId,
        principalFen: input.amountFen,
        bonusFen,
        method: input.method.kind,
        status: 'awaiting_payment',
        actorId: ctx.actor.id,
        createdAt: now,
        updatedAt: now,
      })
      .returning();
    await appendAudit(tx, ctx, { action: 'membership.top_up.order', targetType: 'member', targetId: input.memberId, after: { top_up_id: created!.id, principal_fen: input.amountFen, bonus_fen: bonusFen, method: input.method.kind } });
    return { row: created!, programName: program.name };
  });

  let started: StartedPayment;
  try {
    started = await startPayment(db, config, ctx, {
      storeId: input.storeId,
      amountFen: input.amountFen,
      description: `${programName} 储值`.slice(0, 100),
      purpose: topUpPurpose(row.id),
      method: input.method,
    });
  } catch (error) {
    if (error instanceof AppError && error.status < 500) {
      await db.transaction((tx) => failTopUpInTransaction(tx, merchantId, row.id, { paymentId: null, reason: `payment not started: ${error.code}` }));
    }
    throw error;
  }
  await db
    .update(topUps)
    .set({ paymentId: started.id, updatedAt: new Date() })
    .where(and(eq(topUps.merchantId, merchantId), eq(topUps.id, row.id), isNull(topUps.paymentId)));
  if (started.status === 'succeeded') await db.transaction((tx) => creditPaidTopUpInTransaction(tx, ctx, merchantId, row.id, { paymentId: started.id }));
  else if (started.status === 'failed' || started.status === 'closed') await db.transaction((tx) => failTopUpInTransaction(tx, merchantId, row.id, { paymentId: started.id, reason: `payment ${started.status}` }));
  return { topUp: await loadTopUp(db, merchantId, row.id), payment: started };
}

/**
 * The top-up's payment succeeded: principal and the bonus fixed at ordering go on the card, once.
 * Money taken is always credited — also for a top-up marked failed earlier (a missed success).
 */
export async function creditPaidTopUpInTransaction(tx: Db, ctx: AccessContext, merchantId: string, topUpId: string, input: { paymentId: string }, now = new Date()): Promise<boolean> {
  const peek = await loadTopUp(tx, merchantId, topUpId);
  // Merged since it was ordered (ID+): the money goes on the surviving member's card, and the top-up with it.
  const memberId = await survivingMemberId(tx, merchantId, peek.memberId);
  await lockStoredValueAccount(tx, merchantId, memberId);
  const locked = await loadTopUp(tx, merchantId, topUpId, true);
  if (locked.status === 'credited') return false;
  const row = locked.memberId === memberId ? locked : { ...locked, memberId };
  if (row !== locked) await tx.update(topUps).set({ memberId, updatedAt: now }).where(and(eq(topUps.merchantId, merchantId), eq(topUps.id, topUpId)));
  const credited = await creditTopUpInTransaction(tx, ctx, merchantId, row.memberId, { principalFen: row.principalFen, bonusFen: row.bonusFen, paymentReference: input.paymentId, storeId: row.storeId, topUpId: row.id }, now);
  await tx
    .update(topUps)
    .set({ status: 'credited', paymentId: input.paymentId, entryId: credited.entry.id, creditedAt: now, failureReason: null, updatedAt: now })
    .where(and(eq(topUps.merchantId, merchantId), eq(topUps.id, topUpId)));
  const program = await loadProgram(tx, merchantId);
  if (program.topUpEarnsPoints) {
    const member = await findMember(tx, merchantId, row.memberId);
    if (member.status === 'active') await earnInTransaction(tx, ctx, merchantId, row.memberId, { amountFen: row.principalFen, storeId: row.storeId, reference: input.paymentId }, now);
  }
  return true;
}

/** The payment failed, closed or never started: the top-up ends unpaid (nothing was credited). */
export async function failTopUpInTransaction(tx: Db, merchantId: string, topUpId: string, input: { paymentId: string | null; reason: string }, now = new Date()): Promise<boolean> {
  const row = await loadTopUp(tx, merchantId, topUpId, true);
  if (row.status !== 'awaiting_payment') return false;
  if (input.paymentId && row.paymentId && row.paymentId !== input.paymentId) return false;
  await tx
    .update(topUps)
    .set({ status: 'failed', failureReason: input.reason.slice(0, 200), paymentId: row.paymentId ?? input.paymentId, updatedAt: now })
    .where(and(eq(topUps.merchantId, merchantId), eq(topUps.id, topUpId)));
  return true;
}

/**
 * Refunds unused principal of a credited top-up through its payment (退卡 of that top-up). The
 * principal — and the share of the plan's bonus that came with it, as far as it is still on the card —
 * leaves the card first; if the channel refuses the refund it comes back (an `adjust` entry).
 */
export async function refundTopUp(db: Db, config: Config, ctx: AccessContext, topUpId: string, input: { amountFen?: number | undefined; reason: string }): Promise<{ topUp: TopUpRow; refund: TopUpRefundRow }> {
  authorize(ctx, 'membership.stored_value.refund');
  const merchantId = requireMerchantId(ctx);
  const refundId = newId('topUpRefund');
  const reserved = await db.transaction(async (tx) => {
    const peek = await loadTopUp(tx, merchantId, topUpId);
    // Merged since (ID+): the principal is on the surviving member's card now (merged-forward.ts).
    const account = await lockCardAndHolder(tx, merchantId, peek.memberId);
    const row = await loadTopUp(tx, merchantId, topUpId, true);
    if (row.status !== 'credited' || !row.paymentId) throw membershipErrors.make('top_up_not_refundable', `the top-up is ${row.status}`);
    const refundable = Math.min(row.principalFen - row.refundedPrincipalFen, account.principalFen);
    if (refundable <= 0) throw membershipErrors.make('nothing_to_refund');
    const amountFen = input.amountFen ?? refundable;
    if (amountFen > refundable) throw membershipErrors.make('top_up_refund_exceeds', `at most ${refundable} fen of this top-up's principal is unused`, { refundable_fen: refundable });
    // The bonus lapses in proportion to the principal refunded (cumulative floors: exact over partial refunds).
    const share = (r: number) => Math.floor((row.bonusFen * r) / row.principalFen);
    const bonusFen = Math.min(share(row.refundedPrincipalFen + amountFen) - share(row.refundedPrincipalFen), account.bonusFen);
    const now = new Date();
    await pullBackFromSurvivor(tx, ctx, merchantId, row.memberId, { principalFen: amountFen, bonusFen }, now);
    await moveForTopUpRefundInTransaction(tx, ctx, merchantId, row.memberId, { principalFen: amountFen, bonusFen, reference: refundId, undo: false }, now);
    await tx
      .update(topUps)
      .set({ refundedPrincipalFen: row.refundedPrincipalFen + amountFen, forfeitedBonusFen: row.forfeitedBonusFen + bonusFen, updatedAt: now })
      .where(and(eq(topUps.merchantId, merchantId), eq(topUps.id, topUpId)));
    const [refund] = await tx
      .insert(topUpRefunds)
      .values({ merchantId, id: refundId, topUpId, memberId: row.memberId, principalFen: amountFen, forfeitedBonusFen: bonusFen, status: 'processing', reason: input.reason, actorId: ctx.actor.id, createdAt: now, updatedAt: now })
      .returning();
    await appendAudit(tx, ctx, { action: 'membership.top_up.refund', targetType: 'member', targetId: row.memberId, after: { top_up_id: topUpId, refund_id: refundId, principal_fen: amountFen, forfeited_bonus_fen: bonusFen, reason: input.reason } });
    return { row, refund: refund! };
  });

  let status: string;
  let paymentRefundId: string | null = null;
  try {
    const r = await refundPayment(db, config, ctx, reserved.row.paymentId!, { amountFen: reserved.refund.principalFen, reason: input.reason.slice(0, 80), outRefundNo: refundId, purpose: topUpPurpose(topUpId) });
    status = r.status;
    paymentRefundId = r.id;
  } catch (error) {
    if (error instanceof AppError && error.status < 500) {
      await undoTopUpRefund(db, ctx, merchantId, reserved.refund);
      throw error;
    }
    status = 'processing';
  }
  if (status === 'failed') {
    await undoTopUpRefund(db, ctx, merchantId, reserved.refund);
    throw membershipErrors.make('top_up_not_refundable', 'the channel refused the refund');
  }
  const [refund] = await db
    .update(topUpRefunds)
    .set({ status: status === 'succeeded' ? 'succeeded' : 'processing', paymentRefundId, updatedAt: new Date() })
    .where(and(eq(topUpRefunds.merchantId, merchantId), eq(topUpRefunds.id, refundId), eq(topUpRefunds.status, 'processing')))
    .returning();
  return { topUp: await loadTopUp(db, merchantId, topUpId), refund: refund ?? (await loadTopUpRefund(db, merchantId, refundId)) };
}

async function loadTopUpRefund(db: Db, merchantId: string, refundId: string): Promise<TopUpRefundRow> {
  const [row] = await db.select().from(topUpRefunds).where(and(eq(topUpRefunds.merchantId, merchantId), eq(topUpRefunds.id, refundId)));
  if (!row) throw membershipErrors.make('top_up_not_found');
  return row;
}

async function undoTopUpRefund(db: Db, ctx: AccessContext, merchantId: string, refund: TopUpRefundRow): Promise<void> {
  await db.transaction(async (tx) => {
    await lockCardAndHolder(tx, merchantId, refund.memberId);
    const row = await loadTopUp(tx, merchantId, refund.topUpId, true);
    const [claimed] = await tx
      .update(topUpRefunds)
      .set({ status: 'failed', updatedAt: new Date() })
      .where(and(eq(topUpRefunds.merchantId, merchantId), eq(topUpRefunds.id, refund.id), eq(topUpRefunds.status, 'processing')))
      .returning();
    if (!claimed) return;
    await moveForTopUpRefundInTransaction(tx, ctx, merchantId, refund.memberId, { principalFen: refund.principalFen, bonusFen: refund.forfeitedBonusFen, reference: `${refund.id}:undo`, undo: true });
    await forwardToSurvivor(tx, ctx, merchantId, refund.memberId, new Date(), { storedValueOnly: true }); // merged meanwhile (ID+): it goes on to the survivor
    await tx
      .update(topUps)
      .set({ refundedPrincipalFen: row.refundedPrincipalFen - refund.principalFen, forfeitedBonusFen: row.forfeitedBonusFen - refund.forfeitedBonusFen, updatedAt: new Date() })
      .where(and(eq(topUps.merchantId, merchantId), eq(topUps.id, row.id)));
    await appendAudit(tx, ctx, { action: 'membership.top_up.refund_failed', targetType: 'member', targetId: refund.memberId, after: { top_up_id: row.id, refund_id: refund.id, principal_fen: refund.principalFen } });
  });
}

/**
 * payment.refunded about a top-up's payment: ours (out_refund_no = our refund id) is marked done; a
 * refund made from the payments console takes the principal off the card here — as much as is
 * still unused — and reports the rest as a shortfall in the audit entry.
 */
export async function applyTopUpPaymentRefund(tx: Db, ctx: AccessContext, merchantId: string, topUpId: string, event: { refundId: string; outRefundNo: string | null; amountFen: number }, now = new Date()): Promise<void> {
  const [ours] = event.outRefundNo ? await tx.select().from(topUpRefunds).where(and(eq(topUpRefunds.merchantId, merchantId), eq(topUpRefunds.id, event.outRefundNo))) : [];
  if (ours) {
    await tx.update(topUpRefunds).set({ status: 'succeeded', paymentRefundId: event.refundId, updatedAt: now }).where(and(eq(topUpRefunds.merchantId, merchantId), eq(topUpRefunds.id, ours.id)));
    return;
  }
  const peek = await loadTopUp(tx, merchantId, topUpId);
  const account = await lockCardAndHolder(tx, merchantId, peek.memberId); // merged since (ID+): the survivor's card
  const row = await loadTopUp(tx, merchantId, topUpId, true);
  if (row.status !== 'credited') return;
  // Applied once per channel refund, however often its event comes.
  const [claimed] = await tx.insert(appliedReferences).values({ merchantId, kind: 'stored_value.top_up_refund', reference: event.refundId, operationId: newId('membershipOperation') }).onConflictDoNothing().returning();
  if (!claimed) return;
  const principalFen = Math.min(event.amountFen, row.principalFen - row.refundedPrincipalFen, account.principalFen);
  const share = (r: number) => Math.floor((row.bonusFen * r) / row.principalFen);
  const bonusFen = principalFen > 0 ? Math.min(share(row.refundedPrincipalFen + principalFen) - share(row.refundedPrincipalFen), account.bonusFen) : 0;
  const id = newId('topUpRefund');
  if (principalFen > 0) {
    await pullBackFromSurvivor(tx, ctx, merchantId, row.memberId, { principalFen, bonusFen }, now);
    await moveForTopUpRefundInTransaction(tx, ctx, merchantId, row.memberId, { principalFen, bonusFen, reference: id, undo: false }, now);
    await tx
      .update(topUps)
      .set({ refundedPrincipalFen: row.refundedPrincipalFen + principalFen, forfeitedBonusFen: row.forfeitedBonusFen + bonusFen, updatedAt: now })
      .where(and(eq(topUps.merchantId, merchantId), eq(topUps.id, row.id)));
  }
  await tx.insert(topUpRefunds).values({ merchantId, id, topUpId, memberId: row.memberId, principalFen, forfeitedBonusFen: bonusFen, paymentRefundId: event.refundId, status: 'succeeded', reason: 'refunded from payments', actorId: ctx.actor.id, createdAt: now, updatedAt: now });
  await appendAudit(tx, ctx, { action: 'membership.top_up.external_refund', targetType: 'member', targetId: row.memberId, after: { top_up_id: row.id, refund_id: event.refundId, amount_fen: event.amountFen, principal_fen: principalFen, shortfall_fen: event.amountFen - principalFen } });
}

export async function getTopUp(db: Db, ctx: AccessContext, topUpId: string): Promise<{ topUp: TopUpRow; refunds: TopUpRefundRow[] }> {
  authorize(ctx, 'membership.read');
  const merchantId = requireMerchantId(ctx);
  const topUp = await loadTopUp(db, merchantId, topUpId);
  const refunds = await db.select().from(topUpRefunds).where(and(eq(topUpRefunds.merchantId, merchantId), eq(topUpRefunds.topUpId, topUpId))).orderBy(asc(topUpRefunds.id));
  return { topUp, refunds };
}

export async function listTopUps(db: Db, ctx: AccessContext, memberId: string, page: { after?: string | undefined; limit: number }): Promise<TopUpRow[]> {
  authorize(ctx, 'membership.read');
  const merchantId = requireMerchantId(ctx);
  await findMember(db, merchantId, memberId);
  return db
    .select()
    .from(topUps)
    .where(and(eq(topUps.merchantId, merchantId), eq(topUps.memberId, memberId), page.after ? lt(topUps.id, page.after) : undefined))
    .orderBy(desc(topUps.id))
    .limit(page.limit + 1);
}

/** The worker's pass: top-ups still awaiting a payment that has ended (a missed event), or that never started. */
export async function sweepTopUps(db: Db, config: Config, contextOf: (merchantId: string) => Promise<AccessContext>, now: Date): Promise<{ credited: number; failed: number }> {
  let credited = 0;
  let failed = 0;
  const neverStarted = new Date(now.getTime() - (config.PAYMENTS_ORDER_TTL_MINUTES + 5) * 60_000);
  const rows = await db
    .select()
    .from(topUps)
    .where(and(eq(topUps.status, 'awaiting_payment'), lt(topUps.createdAt, new Date(now.getTime() - 60_000))))
    .orderBy(asc(topUps.createdAt))
    .limit(100);
  for (const row of rows) {
    if (row.paymentId) {
      const payment = await getPaymentSummary(db, row.merchantId, row.paymentId);
      if (payment?.status === 'succeeded') {
        const ctx = await contextOf(row.merchantId);
        if (await db.transaction((tx) => creditPaidTopUpInTransaction(tx, ctx, row.merchantId, row.id, { paymentId: payment.id }, now))) credited++;
      } else if (!payment || payment.status === 'failed' || payment.status === 'closed') {
        if (await db.transaction((tx) => failTopUpInTransaction(tx, row.merchantId, row.id, { paymentId: row.paymentId, reason: `payment ${payment?.status ?? 'missing'}` }, now))) failed++;
      }
    } else if (row.createdAt < neverStarted) {
      if (await db.transaction((tx) => failTopUpInTransaction(tx, row.merchantId, row.id, { paymentId: null, reason: 'payment never started' }, now))) failed++;
    }
  }
  return { credited, failed };
}
