// Points lots: every credit of points is a lot with its own pending period and expiry; every
// change is a movement on one lot. The ledger (entries) is the list of movements, so
//   balance = Σ entries = Σ lot remaining,
// and the lots say which points are spendable now. Pure: the service turns movements into rows.
//
// Rules, written once:
// - A lot is pending before `availableAt`, expired from `expiresAt` on, available in between.
// - Spends burn available lots oldest first (earnedAt, then id); pending and expired lots are
//   never burnt.
// - When the program allows a negative balance, what a spend cannot cover becomes debt: a single
//   debt lot per member with a negative remaining. Every operation first repays debt from
//   available lots (oldest first), and a credit repays what is left from the new lot, so debt and
//   spendable points never sit side by side after an operation.
// - A refund reverses points from the lot its purchase earned first, then from other available
//   lots oldest first; what is still missing becomes debt if allowed, else it is reported as a
//   shortfall (the member already spent those points and the program forbids debt).
// - Expiry moves an expired lot's remaining to zero with one movement.

export type LotKind = 'earn' | 'debt';
export type LotState = 'pending' | 'available' | 'expired';

export interface PointsLot {
  readonly id: string;
  readonly kind: LotKind;
  readonly earnedAt: Date;
  readonly availableAt: Date;
  /** null: never expires (also the debt lot). */
  readonly expiresAt: Date | null;
  /** Points credited when the lot was made (0 for the debt lot). */
  readonly points: number;
  /** What is left; negative only on the debt lot. */
  readonly remaining: number;
}

// merge_settlement: a shortfall of an unmerge settled by staff (merge-shortfalls.ts).
export type MovementType = 'earn' | 'spend' | 'expire' | 'adjust' | 'refund_reversal' | 'debt_settlement' | 'restore' | 'merge_settlement';

export interface Movement {
  /** The lot moved; `newLot` / `debtLot` stand for lots the caller creates with that id. */
  readonly lotId: string;
  readonly type: MovementType;
  /** Signed points. */
  readonly delta: number;
}

export interface LotPolicy {
  readonly pendingDays: number;
  /** null: points never expire. */
  readonly expiryDays: number | null;
  readonly allowNegative: boolean;
}

const dayMs = 86_400_000;

export function lotState(lot: PointsLot, now: Date): LotState {
  if (lot.kind === 'debt') return 'available';
  if (now.getTime() < lot.availableAt.getTime()) return 'pending';
  if (lot.expiresAt && now.getTime() >= lot.expiresAt.getTime()) return 'expired';
  return 'available';
}

/** Oldest first: the order in which lots burn. */
export function byAge(a: PointsLot, b: PointsLot): number {
  return a.earnedAt.getTime() - b.earnedAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

export interface PointsBalance {
  /** Σ remaining of every lot: equals the sum of ledger entries. */
  readonly total: number;
  /** Spendable now: available lots less debt; negative means debt. */
  readonly available: number;
  readonly pending: number;
  /** Expired but not yet swept by the expiry run (not spendable). */
  readonly expiredUnswept: number;
  readonly debt: number;
}

export function balanceOf(lots: readonly PointsLot[], now: Date): PointsBalance {
  let total = 0;
  let available = 0;
  let pending = 0;
  let expiredUnswept = 0;
  let debt = 0;
  for (const lot of lots) {
    total += lot.remaining;
    if (lot.kind === 'debt') {
      debt += -lot.remaining;
      available += lot.remaining;
      continue;
    }
    const state = lotState(lot, now);
    if (state === 'pending') pending += lot.remaining;
    else if (state === 'expired') expiredUnswept += lot.remaining;
    else available += lot.remaining;
  }
  return { total, available, pending, expiredUnswept, debt };
}

/** The dates of a lot credited at `at` under the program's policy. */
export function lotDates(at: Date, policy: Pick<LotPolicy, 'pendingDays' | 'expiryDays'>): { availableAt: Date; expiresAt: Date | null } {
  const availableAt = new Date(at.getTime() + policy.pendingDays * dayMs);
  // Expiry counts from when the points became spendable, so a pending period never eats into it.
  const expiresAt = policy.expiryDays === null ? null : new Date(availableAt.getTime() + policy.expiryDays * dayMs);
  return { availableAt, expiresAt };
}

export class InsufficientPoints extends Error {
  constructor(
    readonly requested: number,
    readonly available: number,
  ) {
    super(`requested ${requested} points, ${available} available`);
    this.name = 'InsufficientPoints';
  }
}

export const NEW_LOT = 'new_lot';
export const DEBT_LOT = 'debt_lot';

function debtLotOf(lots: readonly PointsLot[]): PointsLot | undefined {
  return lots.find((l) => l.kind === 'debt');
}

function assertPositiveInteger(points: number): void {
  if (!Number.isSafeInteger(points) || points <= 0) throw new RangeError(`points must be a positive integer, got ${points}`);
}

/** Repays debt from available lots, oldest first (pending points became available since). */
export function settleDebt(lots: readonly PointsLot[], now: Date): Movement[] {
  const debt = debtLotOf(lots);
  if (!debt || debt.remaining >= 0) return [];
  const { movements } = burnFifo(lots, -debt.remaining, now, 'debt_settlement');
  const repaid = -movements.reduce((s, m) => s + m.delta, 0);
  return repaid > 0 ? [...movements, { lotId: debt.id, type: 'debt_settlement', delta: repaid }] : [];
}

/**
 * Credits a new lot (an earn or a positive adjustment). Debt is repaid from it at once, so a
 * member never holds debt and spendable points side by side.
 */
export function credit(lots: readonly PointsLot[], points: number, now: Date, type: 'earn' | 'adjust'): Movement[] {
  assertPositiveInteger(points);
  const settled = settleDebt(lots, now);
  const after = applyMovements(lots, settled, {});
  const movements: Movement[] = [...settled, { lotId: NEW_LOT, type, delta: points }];
  const debt = debtLotOf(after);
  if (debt && debt.remaining < 0) {
    const repay = Math.min(points, -debt.remaining);
    movements.push({ lotId: NEW_LOT, type: 'debt_settlement', delta: -repay }, { lotId: debt.id, type: 'debt_settlement', delta: repay });
  }
  return movements;
}

function burnFifo(lots: readonly PointsLot[], points: number, now: Date, type: MovementType, skipLotId?: string): { movements: Movement[]; missing: number } {
  const movements: Movement[] = [];
  let missing = points;
  const burnable = lots.filter((l) => l.kind === 'earn' && l.id !== skipLotId && l.remaining > 0 && lotState(l, now) === 'available').sort(byAge);
  for (const lot of burnable) {
    if (missing === 0) break;
    const take = Math.min(lot.remaining, missing);
    movements.push({ lotId: lot.id, type, delta: -take });
    missing -= take;
  }
  return { movements, missing };
}

function intoDebt(lots: readonly PointsLot[], missing: number, type: MovementType): Movement {
  return { lotId: debtLotOf(lots)?.id ?? DEBT_LOT, type, delta: -missing };
}

/**
 * Burns points oldest lot first (a spend or a negative adjustment). Throws InsufficientPoints when
 * the available points do not cover it and the program forbids debt.
 */
export function burn(lots: readonly PointsLot[], points: number, now: Date, policy: Pick<LotPolicy, 'allowNegative'>, type: 'spend' | 'adjust'): Movement[] {
  assertPositiveInteger(points);
  const settled = settleDebt(lots, now);
  const after = applyMovements(lots, settled, {});
  const spendable = balanceOf(after, now).available;
  if (spendable < points && !policy.allowNegative) throw new InsufficientPoints(points, Math.max(spendable, 0));
  const { movements, missing } = burnFifo(after, points, now, type);
  return missing === 0 ? [...settled, ...movements] : [...settled, ...movements, intoDebt(after, missing, type)];
}

export interface Reversal {
  readonly movements: Movement[];
  /** Points that could not be taken back (the program forbids debt). */
  readonly shortfall: number;
}

/** Takes back `points` earned by a purchase now refunded: its own lot first, then FIFO, then debt. */
export function reverse(lots0: readonly PointsLot[], points: number, sourceLotId: string | null, now: Date, policy: Pick<LotPolicy, 'allowNegative'>): Reversal {
  assertPositiveInteger(points);
  const settled = settleDebt(lots0, now);
  const lots = applyMovements(lots0, settled, {});
  const movements: Movement[] = [...settled];
  let missing = points;
  // The purchase's own lot goes first whatever its state: its points exist only because of it.
  const own = sourceLotId ? lots.find((l) => l.id === sourceLotId && l.kind === 'earn') : undefined;
  if (own && own.remaining > 0) {
    const take = Math.min(own.remaining, missing);
    movements.push({ lotId: own.id, type: 'refund_reversal', delta: -take });
    missing -= take;
  }
  if (missing > 0) {
    const rest = burnFifo(lots, missing, now, 'refund_reversal', own?.id);
    movements.push(...rest.movements);
    missing = rest.missing;
  }
  if (missing === 0) return { movements, shortfall: 0 };
  if (policy.allowNegative) return { movements: [...movements, intoDebt(lots, missing, 'refund_reversal')], shortfall: 0 };
  return { movements, shortfall: missing };
}

/** Sweeps every lot expired at `now` that still holds points. */
export function expire(lots0: readonly PointsLot[], now: Date): Movement[] {
  // Settle first so that the sweep leaves an account with no debt beside spendable points.
  const settled = settleDebt(lots0, now);
  const lots = applyMovements(lots0, settled, {});
  const swept = lots
    .filter((l) => l.kind === 'earn' && l.remaining > 0 && lotState(l, now) === 'expired')
    .sort(byAge)
    .map((l) => ({ lotId: l.id, type: 'expire' as const, delta: -l.remaining }));
  return [...settled, ...swept];
}

/**
 * Gives back `points` of a spend (a released or refunded checkout) exactly where the spend took them.
 * Debt the member owes now is repaid first (debt and spendable points never sit side by side); then
 * each earn lot the spend burned gets back what it gave, the lot burned last first (it expires last),
 * never more than the spend took from it less what was given back before (`restoredBefore`). A lot
 * that expired meanwhile gets its points back too and the expiry run takes them — as it would have.
 * What is left (the spend went into debt that has been repaid since) becomes a new lot.
 */
export function restoreSpend(
  lots: readonly PointsLot[],
  taken: readonly { lotId: string; points: number }[],
  restoredBefore: ReadonlyMap<string, number>,
  points: number,
): Movement[] {
  assertPositiveInteger(points);
  const movements: Movement[] = [];
  let left = points;
  const debt = debtLotOf(lots);
  if (debt && debt.remaining < 0) {
    const repay = Math.min(left, -debt.remaining);
    movements.push({ lotId: debt.id, type: 'restore', delta: repay });
    left -= repay;
  }
  for (const t of [...taken].reverse()) {
    if (left === 0) break;
    const lot = lots.find((l) => l.id === t.lotId);
    if (!lot || lot.kind !== 'earn') continue;
    const give = Math.min(left, t.points - (restoredBefore.get(t.lotId) ?? 0));
    if (give <= 0) continue;
    movements.push({ lotId: lot.id, type: 'restore', delta: give });
    left -= give;
  }
  if (left > 0) movements.push({ lotId: NEW_LOT, type: 'restore', delta: left });
  return movements;
}

/**
 * Applies movements to lots (what the database does with the rows), creating the new lot and the
 * debt lot where a movement names them. Used by tests and by the service to compute the cache.
 */
export function applyMovements(
  lots: readonly PointsLot[],
  movements: readonly Movement[],
  ids: { newLot?: string; debtLot?: string },
  newLotDates?: { earnedAt: Date; availableAt: Date; expiresAt: Date | null },
): PointsLot[] {
  const byId = new Map(lots.map((l) => [l.id, { ...l }]));
  for (const m of movements) {
    const id = m.lotId === NEW_LOT ? (ids.newLot ?? NEW_LOT) : m.lotId === DEBT_LOT ? (ids.debtLot ?? DEBT_LOT) : m.lotId;
    let lot = byId.get(id);
    if (!lot) {
      if (m.lotId === NEW_LOT) {
        if (!newLotDates) throw new Error('a new lot needs its dates');
        lot = { id, kind: 'earn', ...newLotDates, points: m.delta, remaining: 0 };
      } else if (m.lotId === DEBT_LOT) {
        const epoch = new Date(0);
        lot = { id, kind: 'debt', earnedAt: epoch, availableAt: epoch, expiresAt: null, points: 0, remaining: 0 };
      } else {
        throw new Error(`movement on unknown lot ${id}`);
      }
      byId.set(id, lot);
    }
    byId.set(id, { ...lot, remaining: lot.remaining + m.delta });
  }
  return [...byId.values()];
}
