// Fees, channel cost and agent commission (分润) in integer fen. One rounding rule everywhere
// (docs/decisions/0004-fee-rounding.md): round half up, i.e. floor(x + 1/2), computed on integers.
// A payment's fee is rounded once, per order; refunds give back the fee by cumulative difference so
// that a fully refunded order has returned exactly its fee; daily figures are sums of the per-order
// entries, and commission is rounded once per merchant and day from those sums.

const PPM = 1_000_000n;
const BPS = 10_000n;

function floorDiv(n: bigint, d: bigint): bigint {
  const q = n / d;
  return n % d !== 0n && n < 0n !== d < 0n ? q - 1n : q;
}

/** floor(n/d + 1/2) for d > 0: halves go up (towards +∞), also for negative n. */
export function roundHalfUp(numerator: bigint, denominator: bigint): bigint {
  if (denominator <= 0n) throw new RangeError('denominator must be positive');
  return floorDiv(2n * numerator + denominator, 2n * denominator);
}

function checkFen(name: string, value: number): bigint {
  if (!Number.isSafeInteger(value)) throw new RangeError(`${name} must be a safe integer, got ${String(value)}`);
  return BigInt(value);
}

function checkRate(name: string, value: number, max: number): bigint {
  if (!Number.isInteger(value) || value < 0 || value > max) throw new RangeError(`${name} must be an integer in 0..${max}`);
  return BigInt(value);
}

/** Fee on `amountFen` at `ratePpm` parts per million (3800 = 0.38 %). */
export function feeFen(amountFen: number, ratePpm: number): number {
  return Number(roundHalfUp(checkFen('amountFen', amountFen) * checkRate('ratePpm', ratePpm, 1_000_000), PPM));
}

/**
 * The fee given back by one refund: fee(refunded after) − fee(refunded before). Summed over all
 * refunds of an order it telescopes to fee(total refunded), so a full refund returns the whole fee.
 */
export function refundFeeFen(refundedBeforeFen: number, refundFen: number, ratePpm: number): number {
  return feeFen(refundedBeforeFen + refundFen, ratePpm) - feeFen(refundedBeforeFen, ratePpm);
}

/** Agent commission on a (possibly negative) fee margin, at `shareBps` basis points. */
export function agentCommissionFen(marginFen: number, shareBps: number): number {
  return Number(roundHalfUp(checkFen('marginFen', marginFen) * checkRate('shareBps', shareBps, 10_000), BPS));
}

export interface LedgerLine {
  readonly kind: 'payment' | 'refund';
  /** Positive for payments, positive amount refunded for refunds. */
  readonly amountFen: number;
  /** Merchant fee: positive on payments, negative (given back) on refunds. */
  readonly feeFen: number;
  /** Channel cost, same sign convention as the fee. */
  readonly costFen: number;
}

export interface DailyFigures {
  readonly paymentCount: number;
  readonly refundCount: number;
  readonly grossFen: number;
  readonly refundsFen: number;
  readonly feesFen: number;
  readonly costFen: number;
  /** What the merchant receives: gross − refunds − fees. */
  readonly netFen: number;
  /** What the operator keeps before the agent's share: fees − channel cost. */
  readonly marginFen: number;
}

export function dailyFigures(lines: readonly LedgerLine[]): DailyFigures {
  let grossFen = 0;
  let refundsFen = 0;
  let feesFen = 0;
  let costFen = 0;
  let paymentCount = 0;
  let refundCount = 0;
  for (const line of lines) {
    if (line.kind === 'payment') {
      grossFen += line.amountFen;
      paymentCount += 1;
    } else {
      refundsFen += line.amountFen;
      refundCount += 1;
    }
    feesFen += line.feeFen;
    costFen += line.costFen;
  }
  return { paymentCount, refundCount, grossFen, refundsFen, feesFen, costFen, netFen: grossFen - refundsFen - feesFen, marginFen: feesFen - costFen };
}
