// The check that every cached balance equals the sum of its ledger entries: points accounts,
// points lots and stored-value accounts (principal and bonus apart).
import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { authorize, requireMerchantId, type AccessContext } from '../platform/index.js';
import { pointsAccounts, pointsEntries, pointsLots, storedValueAccounts, storedValueEntries } from './schema.js';

export interface LedgerMismatch {
  readonly kind: 'points_account' | 'points_lot' | 'stored_value_principal' | 'stored_value_bonus';
  readonly id: string;
  readonly cached: number;
  readonly sumOfEntries: number;
}

export interface LedgerCheck {
  readonly ok: boolean;
  readonly pointsAccounts: number;
  readonly pointsLots: number;
  readonly storedValueAccounts: number;
  readonly mismatches: LedgerMismatch[];
}

/** Inside any transaction or connection; used by the API and by tests after random sequences. */
export async function checkLedgersOf(db: Db, merchantId: string): Promise<LedgerCheck> {
  const accounts = await db
    .select({ id: pointsAccounts.memberId, cached: pointsAccounts.balance, sum: sql<string>`coalesce(sum(${pointsEntries.delta}), 0)::text` })
    .from(pointsAccounts)
    .leftJoin(pointsEntries, and(eq(pointsEntries.merchantId, pointsAccounts.merchantId), eq(pointsEntries.memberId, pointsAccounts.memberId)))
    .where(eq(pointsAccounts.merchantId, merchantId))
    .groupBy(pointsAccounts.memberId, pointsAccounts.balance);
  const lots = await db
    .select({ id: pointsLots.id, cached: pointsLots.remaining, sum: sql<string>`coalesce(sum(${pointsEntries.delta}), 0)::text` })
    .from(pointsLots)
    .leftJoin(pointsEntries, and(eq(pointsEntries.merchantId, pointsLots.merchantId), eq(pointsEntries.lotId, pointsLots.id)))
    .where(eq(pointsLots.merchantId, merchantId))
    .groupBy(pointsLots.id, pointsLots.remaining);
  const cards = await db
    .select({
      id: storedValueAccounts.id,
      principal: storedValueAccounts.principalFen,
      bonus: storedValueAccounts.bonusFen,
      principalSum: sql<string>`coalesce(sum(${storedValueEntries.principalDelta}), 0)::text`,
      bonusSum: sql<string>`coalesce(sum(${storedValueEntries.bonusDelta}), 0)::text`,
    })
    .from(storedValueAccounts)
    .leftJoin(storedValueEntries, and(eq(storedValueEntries.merchantId, storedValueAccounts.merchantId), eq(storedValueEntries.accountId, storedValueAccounts.id)))
    .where(eq(storedValueAccounts.merchantId, merchantId))
    .groupBy(storedValueAccounts.id, storedValueAccounts.principalFen, storedValueAccounts.bonusFen);
  const mismatches: LedgerMismatch[] = [];
  for (const a of accounts) if (Number(a.sum) !== a.cached) mismatches.push({ kind: 'points_account', id: a.id, cached: a.cached, sumOfEntries: Number(a.sum) });
  for (const l of lots) if (Number(l.sum) !== l.cached) mismatches.push({ kind: 'points_lot', id: l.id, cached: l.cached, sumOfEntries: Number(l.sum) });
  for (const c of cards) {
    if (Number(c.principalSum) !== c.principal) mismatches.push({ kind: 'stored_value_principal', id: c.id, cached: c.principal, sumOfEntries: Number(c.principalSum) });
    if (Number(c.bonusSum) !== c.bonus) mismatches.push({ kind: 'stored_value_bonus', id: c.id, cached: c.bonus, sumOfEntries: Number(c.bonusSum) });
  }
  return { ok: mismatches.length === 0, pointsAccounts: accounts.length, pointsLots: lots.length, storedValueAccounts: cards.length, mismatches };
}

export async function checkLedgers(db: Db, ctx: AccessContext): Promise<LedgerCheck> {
  authorize(ctx, 'membership.reports.read');
  return checkLedgersOf(db, requireMerchantId(ctx));
}
