// Stored value (储值) service: top-up, spend, refund of a spend back to the card, refund of unused
// principal, ledger and escrow report. Every change locks the card's account row, writes one
// append-only entry with principal and bonus apart, and moves the cached balances with it.
// Stored value never crosses merchants: every query is keyed by the caller's merchant.
import { and, desc, eq, lt, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { commonErrors } from '../../kernel/errors.js';
import { newId } from '../../kernel/ids.js';
import { appendAudit, authorize, findMerchantById, publishEvent, requireMerchantId, type AccessContext } from '../platform/index.js';
import { membershipErrors } from './errors.js';
import { findMember } from './members.js';
import { claimReference } from './points-ledger.js';
import { loadProgram } from './program.js';
import { storedValueAccounts, storedValueEntries } from './schema.js';
import { assertStore } from './stores.js';
import { bonusForTopUp, checkCap, escrowRequiredFen, InsufficientStoredValue, quarterBounds, splitRefund, splitSpend } from './stored-value-split.js';

export type StoredValueAccountRow = typeof storedValueAccounts.$inferSelect;
export type StoredValueEntryRow = typeof storedValueEntries.$inferSelect;

/** A single top-up of ¥10,000 or more needs a real-name (registered) holder. */
export const REAL_NAME_THRESHOLD_FEN = 1_000_000;

export interface StoredValueResult {
  readonly entry: StoredValueEntryRow;
  readonly account: StoredValueAccountRow;
}

export async function lockStoredValueAccount(tx: Db, merchantId: string, memberId: string): Promise<StoredValueAccountRow> {
  const [account] = await tx
    .select()
    .from(storedValueAccounts)
    .where(and(eq(storedValueAccounts.merchantId, merchantId), eq(storedValueAccounts.memberId, memberId)))
    .for('update');
  if (!account) throw membershipErrors.make('member_not_found');
  return account;
}

interface EntryInput {
  readonly type: 'top_up' | 'spend' | 'refund' | 'adjust' | 'expire' | 'transfer_on_merge';
  readonly principalDelta: number;
  readonly bonusDelta: number;
  readonly paymentReference?: string | null;
  readonly reference?: string | null;
  readonly spendEntryId?: string | null;
  readonly storeId?: string | null;
  readonly reason?: string | null;
}

async function writeEntry(tx: Db, ctx: AccessContext, account: StoredValueAccountRow, input: EntryInput, now: Date): Promise<StoredValueResult> {
  const [entry] = await tx
    .insert(storedValueEntries)
    .values({
      merchantId: account.merchantId,
      id: newId('storedValueEntry'),
      accountId: account.id,
      memberId: account.memberId,
      type: input.type,
      principalDelta: input.principalDelta,
      bonusDelta: input.bonusDelta,
      paymentReference: input.paymentReference ?? null,
      reference: input.reference ?? null,
      spendEntryId: input.spendEntryId ?? null,
      storeId: input.storeId ?? null,
      reason: input.reason ?? null,
      actorId: ctx.actor.id,
      occurredAt: now,
    })
    .returning();
  const [updated] = await tx
    .update(storedValueAccounts)
    .set({
      principalFen: sql`${storedValueAccounts.principalFen} + ${input.principalDelta}`,
      bonusFen: sql`${storedValueAccounts.bonusFen} + ${input.bonusDelta}`,
      updatedAt: now,
    })
    .where(and(eq(storedValueAccounts.merchantId, account.merchantId), eq(storedValueAccounts.id, account.id)))
    .returning();
  return { entry: entry!, account: updated! };
}

export interface TopUpInput {
  readonly amountFen: number;
  /** The payment that paid for it (payments exports no top-up payment yet: recorded as given). */
  readonly paymentReference: string;
  readonly storeId?: string | undefined;
}

export async function topUp(db: Db, ctx: AccessContext, memberId: string, input: TopUpInput): Promise<StoredValueResult & { bonusFen: number }> {
  authorize(ctx, 'membership.stored_value.top_up');
  const merchantId = requireMerchantId(ctx);
  if (input.storeId) await assertStore(db, ctx, input.storeId);
  return db.transaction(async (tx) => {
    const account = await lockStoredValueAccount(tx, merchantId, memberId);
    const member = await findMember(tx, merchantId, memberId);
    if (member.status !== 'active') throw membershipErrors.make('member_inactive');
    if (input.amountFen >= REAL_NAME_THRESHOLD_FEN && !member.phone && !member.personId) throw membershipErrors.make('real_name_required');
    const program = await loadProgram(tx, merchantId);
    const bonusFen = bonusForTopUp(program.topUpPlans.map((p) => ({ payFen: p.pay_fen, bonusFen: p.bonus_fen })), input.amountFen);
    const cap = checkCap(account, input.amountFen + bonusFen, account.capFen ?? program.storedValueCapFen);
    if (!cap.ok) throw membershipErrors.make('stored_value_cap_exceeded', `the card can take ${cap.roomFen} fen more`, { room_fen: cap.roomFen });
    const operationId = newId('membershipOperation');
    await claimReference(tx, merchantId, 'stored_value.top_up', input.paymentReference, operationId);
    const result = await writeEntry(tx, ctx, account, { type: 'top_up', principalDelta: input.amountFen, bonusDelta: bonusFen, paymentReference: input.paymentReference, storeId: input.storeId ?? null }, new Date());
    await appendAudit(tx, ctx, { action: 'membership.stored_value.top_up', targetType: 'member', targetId: memberId, after: { entry_id: result.entry.id, principal_fen: input.amountFen, bonus_fen: bonusFen, payment_reference: input.paymentReference } });
    await publishEvent(tx, merchantId, 'stored_value.topped_up', { member_id: memberId, entry_id: result.entry.id, principal_fen: input.amountFen, bonus_fen: bonusFen });
    return { ...result, bonusFen };
  });
}

export interface SpendValueInput {
  readonly amountFen: number;
  readonly storeId?: string | undefined;
  readonly reference?: string | undefined;
}

export async function spendInTransaction(tx: Db, ctx: AccessContext, merchantId: string, memberId: string, input: SpendValueInput, now = new Date()): Promise<StoredValueResult> {
  const account = await lockStoredValueAccount(tx, merchantId, memberId);
  const member = await findMember(tx, merchantId, memberId);
  if (member.status !== 'active' || account.status !== 'active') throw membershipErrors.make('member_inactive');
  if (input.reference) await claimReference(tx, merchantId, 'stored_value.spend', input.reference, newId('membershipOperation'));
  let split;
  try {
    split = splitSpend(account, input.amountFen);
  } catch (error) {
    if (error instanceof InsufficientStoredValue) throw membershipErrors.make('insufficient_stored_value', error.message, { available_fen: error.availableFen });
    throw error;
  }
  const result = await writeEntry(tx, ctx, account, { type: 'spend', principalDelta: -split.principalFen, bonusDelta: -split.bonusFen, reference: input.reference ?? null, storeId: input.storeId ?? null }, now);
  await appendAudit(tx, ctx, { action: 'membership.stored_value.spend', targetType: 'member', targetId: memberId, after: { entry_id: result.entry.id, principal_fen: split.principalFen, bonus_fen: split.bonusFen, reference: input.reference ?? null } });
  await publishEvent(tx, merchantId, 'stored_value.spent', { member_id: memberId, entry_id: result.entry.id, amount_fen: input.amountFen });
  return result;
}

export async function spendStoredValue(db: Db, ctx: AccessContext, memberId: string, input: SpendValueInput): Promise<StoredValueResult> {
  authorize(ctx, 'membership.stored_value.spend');
  const merchantId = requireMerchantId(ctx);
  if (input.storeId) await assertStore(db, ctx, input.storeId);
  return db.transaction((tx) => spendInTransaction(tx, ctx, merchantId, memberId, input));
}

/** Puts (part of) a spend back on the card, principal and bonus exactly as it took them. */
export async function refundSpend(db: Db, ctx: AccessContext, memberId: string, input: { spendEntryId: string; amountFen: number; reference?: string | undefined }): Promise<StoredValueResult> {
  authorize(ctx, 'membership.stored_value.refund');
  const merchantId = requireMerchantId(ctx);
  return db.transaction((tx) => refundSpendInTransaction(tx, ctx, merchantId, memberId, input));
}

export async function refundSpendInTransaction(
  tx: Db,
  ctx: AccessContext,
  merchantId: string,
  memberId: string,
  input: { spendEntryId: string; amountFen: number; reference?: string | undefined; reason?: string | undefined },
  now = new Date(),
): Promise<StoredValueResult> {
  const account = await lockStoredValueAccount(tx, merchantId, memberId);
  const [spend] = await tx
    .select()
    .from(storedValueEntries)
    .where(and(eq(storedValueEntries.merchantId, merchantId), eq(storedValueEntries.id, input.spendEntryId), eq(storedValueEntries.accountId, account.id), eq(storedValueEntries.type, 'spend')));
  if (!spend) throw membershipErrors.make('stored_value_entry_not_found');
  if (input.reference) await claimReference(tx, merchantId, 'stored_value.refund', input.reference, newId('membershipOperation'));
  const [prior] = await tx
    .select({ fen: sql<string>`coalesce(sum(${storedValueEntries.principalDelta} + ${storedValueEntries.bonusDelta}), 0)::text` })
    .from(storedValueEntries)
    .where(and(eq(storedValueEntries.merchantId, merchantId), eq(storedValueEntries.spendEntryId, spend.id)));
  const original = { principalFen: -spend.principalDelta, bonusFen: -spend.bonusDelta };
  let back;
  try {
    back = splitRefund(original, Number(prior?.fen ?? 0), input.amountFen);
  } catch (error) {
    if (error instanceof RangeError) throw membershipErrors.make('refund_exceeds_spend', error.message);
    throw error;
  }
  const result = await writeEntry(tx, ctx, account, { type: 'refund', principalDelta: back.principalFen, bonusDelta: back.bonusFen, spendEntryId: spend.id, reference: input.reference ?? null, reason: input.reason ?? 'spend refunded' }, now);
  await appendAudit(tx, ctx, { action: 'membership.stored_value.refund_spend', targetType: 'member', targetId: memberId, after: { entry_id: result.entry.id, spend_entry_id: spend.id, principal_fen: back.principalFen, bonus_fen: back.bonusFen, reference: input.reference ?? null } });
  return result;
}

/**
 * Credits a paid top-up (principal and the bonus fixed when it was ordered), once per payment. The
 * cap was checked — with the room of other top-ups still awaiting payment reserved — before the
 * buyer was charged; money already taken is credited even if the cap was lowered since.
 */
export async function creditTopUpInTransaction(
  tx: Db,
  ctx: AccessContext,
  merchantId: string,
  memberId: string,
  input: { principalFen: number; bonusFen: number; paymentReference: string; storeId: string | null; topUpId: string },
  now = new Date(),
): Promise<StoredValueResult> {
  const account = await lockStoredValueAccount(tx, merchantId, memberId);
  await claimReference(tx, merchantId, 'stored_value.top_up', input.paymentReference, newId('membershipOperation'));
  const result = await writeEntry(tx, ctx, account, { type: 'top_up', principalDelta: input.principalFen, bonusDelta: input.bonusFen, paymentReference: input.paymentReference, reference: input.topUpId, storeId: input.storeId }, now);
  await appendAudit(tx, ctx, { action: 'membership.stored_value.top_up', targetType: 'member', targetId: memberId, after: { entry_id: result.entry.id, principal_fen: input.principalFen, bonus_fen: input.bonusFen, payment_reference: input.paymentReference, top_up_id: input.topUpId } });
  await publishEvent(tx, merchantId, 'stored_value.topped_up', { member_id: memberId, entry_id: result.entry.id, principal_fen: input.principalFen, bonus_fen: input.bonusFen, top_up_id: input.topUpId });
  return result;
}

/** Moves principal (and the bonus that lapses with it) off the card: a top-up refund's debit, or its undo. */
export async function moveForTopUpRefundInTransaction(
  tx: Db,
  ctx: AccessContext,
  merchantId: string,
  memberId: string,
  input: { principalFen: number; bonusFen: number; reference: string; undo: boolean },
  now = new Date(),
): Promise<StoredValueResult> {
  const account = await lockStoredValueAccount(tx, merchantId, memberId);
  const sign = input.undo ? 1 : -1;
  let result = await writeEntry(
    tx,
    ctx,
    account,
    { type: input.undo ? 'adjust' : 'refund', principalDelta: sign * input.principalFen, bonusDelta: 0, reference: input.reference, reason: input.undo ? 'top-up refund failed at the channel: principal back on the card' : 'top-up principal refunded through payments' },
    now,
  );
  if (input.bonusFen > 0) {
    result = await writeEntry(
      tx,
      ctx,
      result.account,
      { type: input.undo ? 'adjust' : 'expire', principalDelta: 0, bonusDelta: sign * input.bonusFen, reference: input.reference, reason: input.undo ? 'top-up refund failed at the channel: bonus back on the card' : 'bonus lapses with its principal' },
      now,
    );
  }
  return result;
}

/**
 * 退卡: pays the holder's unused principal back (no "no refund" clause stands, 法释〔2025〕4号);
 * the bonus was the merchant's gift and lapses with it, as its own `expire` entry.
 */
export async function refundPrincipal(db: Db, ctx: AccessContext, memberId: string, input: { reason: string; refundReference?: string | undefined }): Promise<{ refund: StoredValueResult; forfeitedBonusFen: number }> {
  authorize(ctx, 'membership.stored_value.refund');
  const merchantId = requireMerchantId(ctx);
  return db.transaction(async (tx) => {
    const account = await lockStoredValueAccount(tx, merchantId, memberId);
    if (account.principalFen <= 0) throw membershipErrors.make('nothing_to_refund');
    if (input.refundReference) await claimReference(tx, merchantId, 'stored_value.principal_refund', input.refundReference, newId('membershipOperation'));
    const now = new Date();
    const refund = await writeEntry(tx, ctx, account, { type: 'refund', principalDelta: -account.principalFen, bonusDelta: 0, reference: input.refundReference ?? null, reason: input.reason }, now);
    const forfeitedBonusFen = account.bonusFen;
    let final = refund;
    if (forfeitedBonusFen > 0) final = await writeEntry(tx, ctx, refund.account, { type: 'expire', principalDelta: 0, bonusDelta: -forfeitedBonusFen, reason: 'bonus lapses with the principal refund' }, now);
    await appendAudit(tx, ctx, { action: 'membership.stored_value.refund_principal', targetType: 'member', targetId: memberId, after: { entry_id: refund.entry.id, principal_fen: account.principalFen, forfeited_bonus_fen: forfeitedBonusFen, reason: input.reason } });
    await publishEvent(tx, merchantId, 'stored_value.principal_refunded', { member_id: memberId, entry_id: refund.entry.id, principal_fen: account.principalFen });
    return { refund: { entry: refund.entry, account: final.account }, forfeitedBonusFen };
  });
}

export async function getStoredValue(db: Db, ctx: AccessContext, memberId: string): Promise<StoredValueAccountRow & { effectiveCapFen: number }> {
  authorize(ctx, 'membership.read');
  const merchantId = requireMerchantId(ctx);
  const [account] = await db.select().from(storedValueAccounts).where(and(eq(storedValueAccounts.merchantId, merchantId), eq(storedValueAccounts.memberId, memberId)));
  if (!account) throw membershipErrors.make('member_not_found');
  const program = await loadProgram(db, merchantId);
  return { ...account, effectiveCapFen: account.capFen ?? program.storedValueCapFen };
}

export async function listStoredValueEntries(db: Db, ctx: AccessContext, memberId: string, page: { after?: string | undefined; limit: number }): Promise<StoredValueEntryRow[]> {
  authorize(ctx, 'membership.read');
  const merchantId = requireMerchantId(ctx);
  await findMember(db, merchantId, memberId);
  return db
    .select()
    .from(storedValueEntries)
    .where(and(eq(storedValueEntries.merchantId, merchantId), eq(storedValueEntries.memberId, memberId), page.after ? lt(storedValueEntries.id, page.after) : undefined))
    .orderBy(desc(storedValueEntries.id))
    .limit(page.limit + 1);
}

/** UTC offset of a time zone at an instant, in minutes (Asia/Shanghai: +480). */
function utcOffsetMinutes(timeZone: string, at: Date): number {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' })
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  );
  const local = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
  return Math.round((local - Math.floor(at.getTime() / 1000) * 1000) / 60_000);
}

export interface EscrowReport {
  readonly quarter: string;
  readonly asOf: Date;
  readonly outstandingPrincipalFen: number;
  readonly outstandingBonusFen: number;
  readonly ratioBps: number;
  readonly requiredEscrowFen: number;
  readonly accounts: number;
}

/** 存管: outstanding principal at the quarter's end (merchant's time zone) × the configured ratio. */
export async function escrowReport(db: Db, ctx: AccessContext, quarter: string): Promise<EscrowReport> {
  authorize(ctx, 'membership.reports.read');
  const merchantId = requireMerchantId(ctx);
  const merchant = await findMerchantById(db, merchantId);
  const zone = merchant?.timezone ?? 'Asia/Shanghai';
  let end: Date;
  try {
    const guess = quarterBounds(quarter, 0).end;
    end = quarterBounds(quarter, utcOffsetMinutes(zone, guess)).end;
  } catch (error) {
    if (error instanceof RangeError) throw commonErrors.make('validation_failed', error.message);
    throw error;
  }
  const program = await loadProgram(db, merchantId);
  const [row] = await db
    .select({
      principal: sql<string>`coalesce(sum(${storedValueEntries.principalDelta}), 0)::text`,
      bonus: sql<string>`coalesce(sum(${storedValueEntries.bonusDelta}), 0)::text`,
      accounts: sql<string>`count(distinct ${storedValueEntries.accountId})::text`,
    })
    .from(storedValueEntries)
    .where(and(eq(storedValueEntries.merchantId, merchantId), lt(storedValueEntries.occurredAt, end)));
  const outstandingPrincipalFen = Number(row?.principal ?? 0);
  return {
    quarter,
    asOf: end,
    outstandingPrincipalFen,
    outstandingBonusFen: Number(row?.bonus ?? 0),
    ratioBps: program.escrowRatioBps,
    requiredEscrowFen: escrowRequiredFen(outstandingPrincipalFen, program.escrowRatioBps),
    accounts: Number(row?.accounts ?? 0),
  };
}
