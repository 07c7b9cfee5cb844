// Pure arithmetic of a checkout paid partly through payments: what earns points, how a refund splits
// over the tenders, and how an amount spreads over order lines. Integer fen; exact over any sequence.

/**
 * Spreads `total` over `weights` in proportion, largest remainder first (ties to the earlier line):
 * the parts add up to `total` exactly. All-zero weights spread nothing but the total on the first.
 */
export function spreadProportionally(total: number, weights: readonly number[]): number[] {
  if (!Number.isSafeInteger(total) || total < 0) throw new RangeError(`total must be a non-negative integer, got ${total}`);
  const sum = weights.reduce((s, w) => s + w, 0);
  if (weights.length === 0) return [];
  if (sum <= 0) return weights.map((_w, i) => (i === 0 ? total : 0));
  const exact = weights.map((w) => (total * w) / sum);
  const parts = exact.map((x) => Math.floor(x));
  let left = total - parts.reduce((s, p) => s + p, 0);
  const order = exact.map((x, i) => ({ i, r: x - Math.floor(x) })).sort((a, b) => b.r - a.r || a.i - b.i);
  for (const { i } of order) {
    if (left === 0) break;
    parts[i]! += 1;
    left -= 1;
  }
  return parts;
}

/**
 * What a checkout earns points on: money the member actually paid — the remainder collected through
 * payments and the stored-value principal (paid money held on the card). The member discount,
 * coupons, points and the stored-value bonus are the merchant's gifts and earn nothing.
 */
export function earnBaseFen(paid: { cashFen: number; storedValuePrincipalFen: number }): number {
  return paid.cashFen + paid.storedValuePrincipalFen;
}

export interface Tenders {
  /** Value of the points spent, fen. */
  readonly pointsValueFen: number;
  readonly pointsSpent: number;
  readonly storedValueFen: number;
  readonly cashFen: number;
}

export interface RefundSplit {
  readonly cashFen: number;
  readonly storedValueFen: number;
  /** Points given back (a count, not fen). */
  readonly points: number;
  /** The whole payable is refunded now: coupons come back too. */
  readonly full: boolean;
}

/**
 * Splits a refund of `refundFen` of the payable (points value + stored value + cash) over the tenders
 * in proportion, after `refundedBeforeFen` was refunded. Cumulative, as two nested two-way splits
 * (cash | value, then stored value | points), each `part(x) = floor(whole × x / total)` with the rest
 * to the other side: every tender's share only grows with x and equals the tender at the payable, so
 * any sequence of partial refunds gives back every tender exactly, and no share is ever negative.
 * Points come back as a count in proportion to the points value refunded.
 */
export function splitCheckoutRefund(tenders: Tenders, refundedBeforeFen: number, refundFen: number): RefundSplit {
  const payable = tenders.pointsValueFen + tenders.storedValueFen + tenders.cashFen;
  if (!Number.isSafeInteger(refundFen) || refundFen <= 0) throw new RangeError(`refund must be a positive integer, got ${refundFen}`);
  if (refundedBeforeFen + refundFen > payable) throw new RangeError(`refund ${refundFen} fen exceeds what is left (${payable - refundedBeforeFen} fen)`);
  const value = tenders.pointsValueFen + tenders.storedValueFen;
  const at = (x: number) => {
    const cash = Math.floor((tenders.cashFen * x) / payable);
    const v = x - cash;
    const storedValue = value === 0 ? 0 : Math.floor((tenders.storedValueFen * v) / value);
    const pointsFen = v - storedValue;
    const points = tenders.pointsValueFen === 0 ? 0 : Math.floor((tenders.pointsSpent * pointsFen) / tenders.pointsValueFen);
    return { cash, storedValue, points };
  };
  const before = at(refundedBeforeFen);
  const after = at(refundedBeforeFen + refundFen);
  return {
    cashFen: after.cash - before.cash,
    storedValueFen: after.storedValue - before.storedValue,
    points: after.points - before.points,
    full: refundedBeforeFen + refundFen === payable,
  };
}
