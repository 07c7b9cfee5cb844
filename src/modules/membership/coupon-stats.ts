// Coupon statistics (卡券数据): per template, how many coupons were issued, redeemed, voided, have
// expired unused and are still open, the redemption rate, and a per-day series of issues and
// redemptions in the merchant's calendar days. Counts come from the coupons themselves (a restored
// coupon counts as open again), read in one query per figure.
import { and, eq, gte, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { authorize, findMerchantById, requireMerchantId, type AccessContext } from '../platform/index.js';
import { dailySeries, redemptionRateBps, startOfLocalDate, windowDates, type DayCount, type SeriesPoint } from './coupon-stats-days.js';
import { getTemplate } from './coupons.js';
import { coupons } from './schema.js';

export interface CouponCounts {
  readonly templateId: string;
  readonly issued: number;
  readonly redeemed: number;
  readonly voided: number;
  readonly expired: number;
  /** Issued or locked and still within validity: what may yet be redeemed. */
  readonly open: number;
  readonly redemptionRateBps: number;
}

export interface TemplateStats extends CouponCounts {
  readonly timeZone: string;
  readonly series: SeriesPoint[];
}

function countsQuery(db: Db, merchantId: string, now: Date, templateId?: string) {
  const unused = sql`${coupons.status} in ('issued', 'locked')`;
  const at = sql`${now.toISOString()}::timestamptz`;
  return db
    .select({
      templateId: coupons.templateId,
      issued: sql<string>`count(*)::text`,
      redeemed: sql<string>`count(*) filter (where ${coupons.status} = 'redeemed')::text`,
      voided: sql<string>`count(*) filter (where ${coupons.status} = 'void')::text`,
      expired: sql<string>`count(*) filter (where ${unused} and ${coupons.validUntil} <= ${at})::text`,
      open: sql<string>`count(*) filter (where ${unused} and ${coupons.validUntil} > ${at})::text`,
    })
    .from(coupons)
    .where(and(eq(coupons.merchantId, merchantId), templateId ? eq(coupons.templateId, templateId) : undefined))
    .groupBy(coupons.templateId);
}

function countsOf(row: { templateId: string; issued: string; redeemed: string; voided: string; expired: string; open: string }): CouponCounts {
  const issued = Number(row.issued);
  const redeemed = Number(row.redeemed);
  return { templateId: row.templateId, issued, redeemed, voided: Number(row.voided), expired: Number(row.expired), open: Number(row.open), redemptionRateBps: redemptionRateBps(redeemed, issued) };
}

/** Counts for every template that has issued coupons. */
export async function couponCountsByTemplate(db: Db, ctx: AccessContext, now = new Date()): Promise<CouponCounts[]> {
  authorize(ctx, 'membership.read');
  const rows = await countsQuery(db, requireMerchantId(ctx), now);
  return rows.map(countsOf);
}

/** The UTC offset of a time zone at an instant, in minutes (Asia/Shanghai: 480). */
function utcOffsetMinutes(timeZone: string, at: Date): number {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' }).formatToParts(at).map((p) => [p.type, p.value]),
  );
  const local = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute));
  return Math.round((local - Math.floor(at.getTime() / 60_000) * 60_000) / 60_000);
}

export async function templateStats(db: Db, ctx: AccessContext, templateId: string, days: number, now = new Date()): Promise<TemplateStats> {
  const template = await getTemplate(db, ctx, templateId);
  const merchantId = requireMerchantId(ctx);
  const timeZone = (await findMerchantById(db, merchantId))?.timezone ?? 'Asia/Shanghai';
  const offset = utcOffsetMinutes(timeZone, now);
  const dates = windowDates(now, days, offset);
  const since = startOfLocalDate(dates[0]!, offset);
  const [counts] = await countsQuery(db, merchantId, now, template.id);
  const perDay = async (column: typeof coupons.issuedAt | typeof coupons.redeemedAt): Promise<DayCount[]> => {
    const day = sql<string>`to_char(${column} at time zone ${timeZone}, 'YYYY-MM-DD')`;
    const rows = await db
      .select({ date: day, count: sql<string>`count(*)::text` })
      .from(coupons)
      .where(and(eq(coupons.merchantId, merchantId), eq(coupons.templateId, template.id), gte(column, since)))
      .groupBy(sql`1`);
    return rows.map((r) => ({ date: r.date, count: Number(r.count) }));
  };
  const [issued, redeemed] = [await perDay(coupons.issuedAt), await perDay(coupons.redeemedAt)];
  const base = counts ? countsOf(counts) : { templateId: template.id, issued: 0, redeemed: 0, voided: 0, expired: 0, open: 0, redemptionRateBps: 0 };
  return { ...base, timeZone, series: dailySeries(dates, issued, redeemed) };
}
