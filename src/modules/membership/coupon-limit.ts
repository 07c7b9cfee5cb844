// What a template's per-member limit counts (每人限领 N 张). The limit is on what a person was given,
// not on what is still unused: every coupon of the template the member holds counts, in any state
// (issued, locked, redeemed, expired, void). After an ID+ merge the surviving member holds the
// absorbed member's coupons too — they were issued legitimately, so it keeps them even above the
// limit — and they count: no more are issued until it is under the limit again (an unmerge gives
// them back). Members merged into it are counted as well, should one still hold a coupon.
import { and, count, eq, inArray } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { metricMemberIds } from './merged-members.js';
import { coupons } from './schema.js';

export async function couponsCountedForLimit(tx: Db, merchantId: string, templateId: string, memberId: string): Promise<number> {
  const memberIds = await metricMemberIds(tx, merchantId, memberId);
  const [held] = await tx
    .select({ n: count() })
    .from(coupons)
    .where(and(eq(coupons.merchantId, merchantId), eq(coupons.templateId, templateId), inArray(coupons.memberId, memberIds)));
  return Number(held?.n ?? 0);
}
