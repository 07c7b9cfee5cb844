// Money and business days for the console. Money stays integer fen end to end: yuan typed by a
// person is parsed digit by digit, never through a float (1.15 * 100 = 114.99999999999999).
// No imports, so the e2e test can cross-check these against the server's own conversion.

/** 1234 → "12.34"; negative amounts (net after refunds) keep their sign. */
export function formatFen(fen: number): string {
  const sign = fen < 0 ? '-' : '';
  const digits = String(Math.abs(fen)).padStart(3, '0');
  return `${sign}${digits.slice(0, -2)}.${digits.slice(-2)}`;
}

/** "¥12.34" */
export function yuan(fen: number): string {
  return `¥${formatFen(fen)}`;
}

/**
 * "12.34" → 1234, "6.1" → 610, "7" → 700; null for anything else (signs, exponents, a third
 * decimal, leading zeros, blanks). Works on the digits, so the answer is exact.
 */
export function parseYuan(text: string): number | null {
  const match = /^(0|[1-9]\d{0,9})(?:\.(\d{1,2}))?$/.exec(text.trim());
  if (!match) return null;
  const [, whole = '0', fraction = ''] = match;
  return Number(whole) * 100 + Number(fraction.padEnd(2, '0'));
}

/** 3800 ppm → "0.38%" (ppm of 1 = 0.0001 %), exact to the ppm. */
export function formatPpm(ppm: number): string {
  const digits = String(ppm).padStart(5, '0');
  const fraction = digits.slice(-4).replace(/0+$/, '');
  return `${digits.slice(0, -4)}${fraction ? `.${fraction}` : ''}%`;
}

/** "0.38" (percent) → 3800 ppm; null unless a plain decimal with at most four places. */
export function parsePercentToPpm(text: string): number | null {
  const match = /^(0|[1-9]\d{0,1})(?:\.(\d{1,4}))?$/.exec(text.trim());
  if (!match) return null;
  const [, whole = '0', fraction = ''] = match;
  return Number(whole) * 10_000 + Number(fraction.padEnd(4, '0'));
}

/** Today in Asia/Shanghai (merchant business days), as yyyy-MM-dd. */
export function shanghaiToday(now: Date = new Date()): string {
  return new Date(now.getTime() + 8 * 3600_000).toISOString().slice(0, 10);
}

/** Merchant times are Beijing times: a wall-clock time picked in the console (whatever the browser's zone) as an instant. */
export function shanghaiWallClockToIso(year: number, monthIndex: number, day: number, hour = 0, minute = 0, second = 0): string {
  return new Date(Date.UTC(year, monthIndex, day, hour, minute, second) - 8 * 3600_000).toISOString();
}

/** An instant as Beijing wall-clock time, yyyy-MM-dd HH:mm:ss. */
export function formatShanghaiTime(iso: string): string {
  return new Date(new Date(iso).getTime() + 8 * 3600_000).toISOString().slice(0, 19).replace('T', ' ');
}

/** yyyy-MM-dd shifted by whole days. */
export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}
