// Days for the coupon statistics series: the merchant's calendar days (not UTC days), every day of
// the window present even when nothing happened on it, so a chart's x-axis has no gaps.

const dayMs = 86_400_000;

/** The calendar date (YYYY-MM-DD) of an instant at a fixed UTC offset. */
export function localDate(at: Date, utcOffsetMinutes: number): string {
  return new Date(at.getTime() + utcOffsetMinutes * 60_000).toISOString().slice(0, 10);
}

/** The instant a local calendar date starts at a fixed UTC offset. */
export function startOfLocalDate(date: string, utcOffsetMinutes: number): Date {
  return new Date(Date.parse(`${date}T00:00:00Z`) - utcOffsetMinutes * 60_000);
}

/** The `days` local dates ending with today's, oldest first. */
export function windowDates(now: Date, days: number, utcOffsetMinutes: number): string[] {
  const today = Date.parse(`${localDate(now, utcOffsetMinutes)}T00:00:00Z`);
  return Array.from({ length: days }, (_, i) => new Date(today - (days - 1 - i) * dayMs).toISOString().slice(0, 10));
}

export interface DayCount {
  readonly date: string;
  readonly count: number;
}

export interface SeriesPoint {
  readonly date: string;
  readonly issued: number;
  readonly redeemed: number;
}

/** Joins per-day counts onto the window; counts outside it are left out, missing days are zero. */
export function dailySeries(dates: readonly string[], issued: readonly DayCount[], redeemed: readonly DayCount[]): SeriesPoint[] {
  const issuedBy = new Map(issued.map((d) => [d.date, d.count]));
  const redeemedBy = new Map(redeemed.map((d) => [d.date, d.count]));
  return dates.map((date) => ({ date, issued: issuedBy.get(date) ?? 0, redeemed: redeemedBy.get(date) ?? 0 }));
}

/** Redeemed ÷ issued in basis points, floored; 0 when nothing was issued. */
export function redemptionRateBps(redeemed: number, issued: number): number {
  return issued > 0 ? Math.floor((redeemed * 10_000) / issued) : 0;
}
