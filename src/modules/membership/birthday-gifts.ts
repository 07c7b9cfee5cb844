// 生日礼: members whose birthday is today (the merchant's day, Asia/Shanghai; 29 February on 28
// February in common years) get the coupon of each enabled birthday rule — once a year, whatever
// the number of sweeps, because the gift's reference is `<member id>:<year>`.

import { and, eq, inArray, like, or } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import type { AccessContext } from '../platform/index.js';
import { giveGiftsInTransaction } from './coupon-gifts.js';
import { birthdaysCelebratedOn, shanghaiDate } from './gift-rule-match.js';
import { couponGiftRules, members } from './schema.js';

export interface BirthdaySweep {
  readonly merchants: number;
  readonly members: number;
  readonly coupons: number;
}

/** Gives today's birthday gifts of every merchant with an enabled birthday rule. */
export async function giveBirthdayGifts(db: Db, contextOf: (merchantId: string) => Promise<AccessContext>, now: Date): Promise<BirthdaySweep> {
  const today = shanghaiDate(now);
  const year = today.slice(0, 4);
  const monthDays = birthdaysCelebratedOn(today);
  const merchants = await db
    .selectDistinct({ merchantId: couponGiftRules.merchantId })
    .from(couponGiftRules)
    .where(and(eq(couponGiftRules.trigger, 'birthday'), eq(couponGiftRules.enabled, true)));
  let celebrated = 0;
  let coupons = 0;
  for (const { merchantId } of merchants) {
    const ctx = await contextOf(merchantId);
    const today = await db
      .select({ id: members.id, tierCode: members.tierCode, storeId: members.storeId })
      .from(members)
      .where(and(eq(members.merchantId, merchantId), inArray(members.status, ['active']), or(...monthDays.map((md) => like(members.birthday, `%-${md}`)))));
    for (const member of today) {
      celebrated++;
      const given = await db.transaction((tx) =>
        giveGiftsInTransaction(tx, ctx, merchantId, { trigger: 'birthday', memberId: member.id, reference: `${member.id}:${year}`, storeId: null, amountFen: null, tierCode: member.tierCode }, now),
      );
      coupons += given.filter((gift) => gift.couponId !== null).length;
    }
  }
  return { merchants: merchants.length, members: celebrated, coupons };
}
