// Which automatic coupon gift rules apply to a join, a payment or a birthday (pure; coupon-gifts.ts
// and birthday-gifts.ts act on it).

export type GiftTrigger = 'join' | 'payment' | 'birthday';

export interface GiftRuleTerms {
  readonly trigger: string;
  readonly enabled: boolean;
  readonly storeIds: readonly string[] | null;
  readonly minAmountFen: number | null;
  readonly tierCodes?: readonly string[] | null;
}

export interface GiftCircumstances {
  readonly trigger: GiftTrigger;
  readonly storeId: string | null;
  /** The payment's amount in fen (null for a join or a birthday). */
  readonly amountFen: number | null;
  /** The member's tier when it happens (null: no tier). */
  readonly tierCode?: string | null;
}

/**
 * A rule applies when it is on, is for this trigger, covers the store and the member's tier, and
 * (payments) the amount reaches its minimum.
 */
export function ruleApplies(rule: GiftRuleTerms, occasion: GiftCircumstances): boolean {
  if (!rule.enabled || rule.trigger !== occasion.trigger) return false;
  if (rule.storeIds?.length && (occasion.storeId === null || !rule.storeIds.includes(occasion.storeId))) return false;
  if (rule.tierCodes?.length && (!occasion.tierCode || !rule.tierCodes.includes(occasion.tierCode))) return false;
  if (rule.trigger === 'payment' && rule.minAmountFen !== null && (occasion.amountFen ?? 0) < rule.minAmountFen) return false;
  return true;
}

const isLeapYear = (year: number) => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;

/**
 * The month-day birthdays celebrated on `today` (YYYY-MM-DD, the merchant's calendar day): that day,
 * and 02-29 on 02-28 of a year without one.
 */
export function birthdaysCelebratedOn(today: string): string[] {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(today);
  if (!match) throw new RangeError(`not a date: ${today}`);
  const [, year, month, day] = match;
  const monthDay = `${month}-${day}`;
  return monthDay === '02-28' && !isLeapYear(Number(year)) ? ['02-28', '02-29'] : [monthDay];
}

/** Today's date in Asia/Shanghai (UTC+8, no daylight saving), where MemberPlus's merchants keep their days. */
export function shanghaiDate(now: Date): string {
  return new Date(now.getTime() + 8 * 3_600_000).toISOString().slice(0, 10);
}
