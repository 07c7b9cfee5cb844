// Coupon eligibility (卡券): whether a coupon applies to a purchase and what it takes off.
//
// Kinds: cash_off (a fixed amount off), percent_off (a share off the eligible amount, capped),
// threshold (满减: an amount off once the eligible amount reaches a threshold), free_item (one unit
// of a named product free), exchange (兑换券: one unit of a named product at a fixed price).
// Rounding rule: percent_off takes floor(eligible × bps / 10 000) — the merchant never gives a
// fraction of a fen more than promised. A discount never exceeds the eligible amount.
// Stacking: several coupons go on one purchase only if every one of them is stackable.

export const COUPON_KINDS = ['cash_off', 'percent_off', 'threshold', 'free_item', 'exchange'] as const;
export type CouponKind = (typeof COUPON_KINDS)[number];

export interface CouponTerms {
  readonly kind: CouponKind;
  /** cash_off and threshold: fen off. */
  readonly valueFen?: number | null | undefined;
  /** percent_off: basis points off (1 500 = 15 % off). */
  readonly percentBps?: number | null | undefined;
  /** percent_off: most fen it takes off; null = no cap. */
  readonly capFen?: number | null | undefined;
  /** threshold: the eligible amount to reach (满 X 减 Y); for other kinds an optional minimum spend. */
  readonly minSpendFen?: number | null | undefined;
  /** free_item and exchange: the product it is for. */
  readonly productId?: string | null | undefined;
  /** exchange: what the holder still pays for that product. */
  readonly exchangePriceFen?: number | null | undefined;
  /** Stores where it can be used; null or empty = all. */
  readonly storeIds?: readonly string[] | null | undefined;
  /** Products it applies to (cash/percent/threshold); null or empty = the whole purchase. */
  readonly productIds?: readonly string[] | null | undefined;
  readonly stackable: boolean;
}

export interface Validity {
  readonly validFrom: Date;
  /** Exclusive end. */
  readonly validUntil: Date;
}

export type ValidityRule = { readonly kind: 'fixed'; readonly from: Date; readonly until: Date } | { readonly kind: 'relative'; readonly days: number };

const dayMs = 86_400_000;

/** A coupon's window, fixed at issue: fixed dates, or N days from the moment it was issued. */
export function validityAtIssue(rule: ValidityRule, issuedAt: Date): Validity {
  if (rule.kind === 'fixed') return { validFrom: rule.from, validUntil: rule.until };
  return { validFrom: issuedAt, validUntil: new Date(issuedAt.getTime() + rule.days * dayMs) };
}

export interface CheckoutLine {
  readonly productId?: string | undefined;
  /** Unit price in fen. */
  readonly unitPriceFen: number;
  readonly quantity: number;
}

export interface PurchaseContext {
  readonly now: Date;
  readonly storeId: string;
  /** Order lines; when absent only `amountFen` is known (no product rules can apply). */
  readonly lines?: readonly CheckoutLine[] | undefined;
  readonly amountFen: number;
}

export type IneligibleReason = 'not_yet_valid' | 'expired' | 'wrong_store' | 'no_eligible_items' | 'below_minimum_spend' | 'not_stackable';

export type Eligibility = { readonly eligible: true; readonly discountFen: number } | { readonly eligible: false; readonly reason: IneligibleReason };

function eligibleAmount(terms: CouponTerms, purchase: PurchaseContext): number {
  if (!terms.productIds?.length) return purchase.amountFen;
  if (!purchase.lines) return 0;
  const products = new Set(terms.productIds);
  const sum = purchase.lines.filter((l) => l.productId !== undefined && products.has(l.productId)).reduce((s, l) => s + l.unitPriceFen * l.quantity, 0);
  return Math.min(sum, purchase.amountFen);
}

function unitPriceOf(productId: string | null | undefined, purchase: PurchaseContext): number | null {
  if (!productId || !purchase.lines) return null;
  const line = purchase.lines.find((l) => l.productId === productId && l.quantity > 0);
  return line ? line.unitPriceFen : null;
}

export function evaluateCoupon(terms: CouponTerms, validity: Validity, purchase: PurchaseContext): Eligibility {
  const t = purchase.now.getTime();
  if (t < validity.validFrom.getTime()) return { eligible: false, reason: 'not_yet_valid' };
  if (t >= validity.validUntil.getTime()) return { eligible: false, reason: 'expired' };
  if (terms.storeIds?.length && !terms.storeIds.includes(purchase.storeId)) return { eligible: false, reason: 'wrong_store' };
  const cap = (discount: number, limit: number) => ({ eligible: true as const, discountFen: Math.max(Math.min(discount, limit, purchase.amountFen), 0) });

  if (terms.kind === 'free_item' || terms.kind === 'exchange') {
    const price = unitPriceOf(terms.productId, purchase);
    if (price === null) return { eligible: false, reason: 'no_eligible_items' };
    if (terms.minSpendFen && purchase.amountFen < terms.minSpendFen) return { eligible: false, reason: 'below_minimum_spend' };
    const discount = terms.kind === 'free_item' ? price : price - (terms.exchangePriceFen ?? 0);
    return cap(discount, price);
  }

  const base = eligibleAmount(terms, purchase);
  if (base <= 0) return { eligible: false, reason: 'no_eligible_items' };
  if (terms.minSpendFen && base < terms.minSpendFen) return { eligible: false, reason: 'below_minimum_spend' };
  switch (terms.kind) {
    case 'cash_off':
    case 'threshold':
      return cap(terms.valueFen ?? 0, base);
    case 'percent_off': {
      const off = Number((BigInt(base) * BigInt(terms.percentBps ?? 0)) / 10_000n);
      return cap(off, terms.capFen ?? base);
    }
  }
}

/** Whether these coupons may go on one purchase together. */
export function canStack(terms: readonly CouponTerms[]): boolean {
  return terms.length <= 1 || terms.every((t) => t.stackable);
}

export interface TermsProblem {
  readonly field: string;
  readonly message: string;
}

/** What a template of a kind must say; used when templates are written. */
export function termsProblems(terms: CouponTerms): TermsProblem[] {
  const problems: TermsProblem[] = [];
  const need = (field: keyof CouponTerms, ok: boolean, message: string) => {
    if (!ok) problems.push({ field, message });
  };
  const positive = (v: number | null | undefined) => typeof v === 'number' && Number.isSafeInteger(v) && v > 0;
  switch (terms.kind) {
    case 'cash_off':
      need('valueFen', positive(terms.valueFen), 'cash_off needs value_fen > 0');
      break;
    case 'threshold':
      need('valueFen', positive(terms.valueFen), 'threshold needs value_fen > 0');
      need('minSpendFen', positive(terms.minSpendFen), 'threshold needs min_spend_fen > 0');
      need('valueFen', !positive(terms.minSpendFen) || (terms.valueFen ?? 0) <= (terms.minSpendFen ?? 0), 'threshold takes off at most its threshold');
      break;
    case 'percent_off':
      need('percentBps', positive(terms.percentBps) && (terms.percentBps ?? 0) <= 10_000, 'percent_off needs percent_bps in 1..10000');
      break;
    case 'free_item':
      need('productId', Boolean(terms.productId), 'free_item needs product_id');
      break;
    case 'exchange':
      need('productId', Boolean(terms.productId), 'exchange needs product_id');
      need('exchangePriceFen', typeof terms.exchangePriceFen === 'number' && terms.exchangePriceFen >= 0, 'exchange needs exchange_price_fen ≥ 0');
      break;
  }
  return problems;
}
