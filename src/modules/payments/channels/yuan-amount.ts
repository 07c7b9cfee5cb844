// Alipay speaks yuan as decimal strings ("12.30"); we keep integer fen. The conversion works on the
// digits themselves, never through floating point, where 0.1 + 0.2 and 1.15 * 100 go wrong.

export type YuanParse =
  | { readonly ok: true; readonly fen: number }
  | { readonly ok: false; readonly reason: 'malformed' | 'negative' | 'too_many_decimals' | 'out_of_range' };

/** "12.30" | "12.3" | "12" → 1230 | 1230 | 1200; no sign, exponent, spaces or leading zeros. */
export function yuanToFen(yuan: string): YuanParse {
  if (/^-\d/.test(yuan)) return { ok: false, reason: 'negative' };
  if (/^(?:0|[1-9]\d*)\.\d{3,}$/.test(yuan)) return { ok: false, reason: 'too_many_decimals' };
  const match = /^(0|[1-9]\d*)(?:\.(\d{1,2}))?$/.exec(yuan);
  if (!match) return { ok: false, reason: 'malformed' };
  const [, whole = '0', fraction = ''] = match;
  const fen = BigInt(whole) * 100n + BigInt(fraction.padEnd(2, '0'));
  if (fen > BigInt(Number.MAX_SAFE_INTEGER)) return { ok: false, reason: 'out_of_range' };
  return { ok: true, fen: Number(fen) };
}

/** 1230 → "12.30", always two decimals as Alipay's `total_amount` expects. */
export function fenToYuan(fen: number): string {
  if (!Number.isSafeInteger(fen) || fen < 0) throw new RangeError(`fen must be a non-negative safe integer, got ${String(fen)}`);
  const digits = String(fen).padStart(3, '0');
  return `${digits.slice(0, -2)}.${digits.slice(-2)}`;
}
