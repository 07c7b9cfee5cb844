// Stored value (储值): a card holds principal (what the holder paid) and bonus (what the merchant
// gave on top, 充1000送100). Both are integer fen.
//
// Rounding rule, written once: a spend of S from a card holding P principal and B bonus takes
//   principal = floor(S × P / (P + B)),  bonus = S − principal
// so any odd fen comes out of the bonus and the holder keeps the principal, which is what a
// refund of unused principal pays back. A refund of r fen of a spend that took (p, b), after R
// fen of it were refunded before, returns
//   principal = floor(p × (R + r) / S) − floor(p × R / S),  bonus = r − principal
// so the refunds of any sequence of partial refunds add up exactly to (p, b).

export interface StoredValueBalance {
  readonly principalFen: number;
  readonly bonusFen: number;
}

export interface Split {
  readonly principalFen: number;
  readonly bonusFen: number;
}

function assertFen(value: number, what: string): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${what} must be a non-negative integer of fen, got ${value}`);
}

export class InsufficientStoredValue extends Error {
  constructor(
    readonly requestedFen: number,
    readonly availableFen: number,
  ) {
    super(`requested ${requestedFen} fen, ${availableFen} fen on the card`);
    this.name = 'InsufficientStoredValue';
  }
}

export function splitSpend(balance: StoredValueBalance, amountFen: number): Split {
  assertFen(amountFen, 'amount');
  assertFen(balance.principalFen, 'principal');
  assertFen(balance.bonusFen, 'bonus');
  const total = balance.principalFen + balance.bonusFen;
  if (amountFen > total) throw new InsufficientStoredValue(amountFen, total);
  if (amountFen === 0) return { principalFen: 0, bonusFen: 0 };
  const principalFen = Number((BigInt(amountFen) * BigInt(balance.principalFen)) / BigInt(total));
  return { principalFen, bonusFen: amountFen - principalFen };
}

/** The part of a spend's refund that goes back to principal and to bonus. */
export function splitRefund(spend: Split, refundedBeforeFen: number, refundFen: number): Split {
  const spent = spend.principalFen + spend.bonusFen;
  assertFen(refundedBeforeFen, 'refunded before');
  assertFen(refundFen, 'refund');
  if (refundedBeforeFen + refundFen > spent) throw new RangeError(`refunds of ${refundedBeforeFen + refundFen} fen exceed the spend of ${spent} fen`);
  if (spent === 0) return { principalFen: 0, bonusFen: 0 };
  const principalUpTo = (refunded: number) => Number((BigInt(spend.principalFen) * BigInt(refunded)) / BigInt(spent));
  const principalFen = principalUpTo(refundedBeforeFen + refundFen) - principalUpTo(refundedBeforeFen);
  return { principalFen, bonusFen: refundFen - principalFen };
}

export interface TopUpPlan {
  /** What the holder pays. */
  readonly payFen: number;
  /** What the merchant adds on top. */
  readonly bonusFen: number;
}

/**
 * The bonus of a top-up: the richest plan whose price the payment reaches (pay ¥1,000 get
 * ¥1,100 → 10 000 fen bonus on 100 000 fen). Paying more than a plan's price earns that plan's bonus.
 */
export function bonusForTopUp(plans: readonly TopUpPlan[], paidFen: number): number {
  assertFen(paidFen, 'top-up');
  const reached = plans.filter((p) => p.payFen <= paidFen).sort((a, b) => b.payFen - a.payFen || b.bonusFen - a.bonusFen)[0];
  return reached ? reached.bonusFen : 0;
}

/** A card's value may not pass its cap (¥5,000 for a registered card under the prepaid-card rules). */
export function checkCap(balance: StoredValueBalance, addFen: number, capFen: number): { ok: true } | { ok: false; roomFen: number } {
  const after = balance.principalFen + balance.bonusFen + addFen;
  return after <= capFen ? { ok: true } : { ok: false, roomFen: Math.max(capFen - balance.principalFen - balance.bonusFen, 0) };
}

/**
 * Escrow (存管) owed for a quarter: outstanding principal at the quarter's end × the ratio, rounded
 * up to the fen so the escrow never falls short.
 */
export function escrowRequiredFen(outstandingPrincipalFen: number, ratioBps: number): number {
  assertFen(outstandingPrincipalFen, 'outstanding principal');
  return Number((BigInt(outstandingPrincipalFen) * BigInt(ratioBps) + 9_999n) / 10_000n);
}

/** Quarter `2026Q3` → its end (exclusive) in the merchant's zone as a UTC instant; Asia/Shanghai has no DST (UTC+8). */
export function quarterBounds(quarter: string, utcOffsetMinutes = 480): { start: Date; end: Date } {
  const match = /^(\d{4})Q([1-4])$/.exec(quarter);
  if (!match) throw new RangeError(`quarter must look like 2026Q3, got ${quarter}`);
  const year = Number(match[1]);
  const q = Number(match[2]);
  const local = (y: number, m: number) => new Date(Date.UTC(y, m, 1) - utcOffsetMinutes * 60_000);
  return { start: local(year, (q - 1) * 3), end: q === 4 ? local(year + 1, 0) : local(year, q * 3) };
}
