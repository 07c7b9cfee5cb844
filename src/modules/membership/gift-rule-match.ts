// Which automatic coupon gift rules apply to a join or a payment (pure; coupon-gifts.ts acts on it).

export interface GiftRuleTerms {
  readonly trigger: string;
  readonly enabled: boolean;
  readonly storeIds: readonly string[] | null;
  readonly minAmountFen: number | null;
}

export interface GiftCircumstances {
  readonly trigger: 'join' | 'payment';
  readonly storeId: string | null;
  /** The payment's amount in fen (null for a join). */
  readonly amountFen: number | null;
}

/** A rule applies when it is on, is for this trigger, covers the store, and (payments) the amount reaches its minimum. */
export function ruleApplies(rule: GiftRuleTerms, occasion: GiftCircumstances): boolean {
  if (!rule.enabled || rule.trigger !== occasion.trigger) return false;
  if (rule.storeIds?.length && (occasion.storeId === null || !rule.storeIds.includes(occasion.storeId))) return false;
  if (rule.trigger === 'payment' && rule.minAmountFen !== null && (occasion.amountFen ?? 0) < rule.minAmountFen) return false;
  return true;
}
