// Sandbox buyers are named by a label ("alice"); everything a channel would know about them is
// derived from it, so the same label pays as the same person again and again, as a real regular
// customer does. Openids are scoped by appid and Alipay open_ids by app_id, as in the real channels.
import { createHash, randomBytes, randomInt } from 'node:crypto';

function digest(...parts: readonly string[]): Buffer {
  return createHash('sha256').update(parts.join('\u0000')).digest();
}

function digits(bytes: Buffer, count: number): string {
  let value = BigInt(`0x${bytes.toString('hex')}`);
  let out = '';
  for (let i = 0; i < count; i += 1) {
    out += String(value % 10n);
    value /= 10n;
  }
  return out;
}

/** A WeChat openid: 28 characters starting with `o`, different for each appid. */
export function wechatOpenid(appid: string, buyer: string): string {
  return `o${digest('openid', appid, buyer).toString('base64url').slice(0, 27)}`;
}

/** A WeChat unionid: the same across the apps of one open-platform account (here: one sandbox). */
export function wechatUnionid(buyer: string): string {
  return `o${digest('unionid', buyer).toString('base64url').slice(0, 27)}`;
}

/** An Alipay user id: 16 digits starting 2088, the same for every app. */
export function alipayUserId(buyer: string): string {
  return `2088${digits(digest('alipay-user', buyer), 12)}`;
}

/** An Alipay open_id: scoped by app_id since 2023. */
export function alipayOpenId(appId: string, buyer: string): string {
  return `0${digits(digest('alipay-open', appId, buyer), 3)}${digest('alipay-open-id', appId, buyer).toString('base64url').replace(/[-_]/g, 'x').slice(0, 40)}`;
}

/** A masked login shown on bills: `138****1234`. */
export function alipayLogonId(buyer: string): string {
  const d = digits(digest('alipay-logon', buyer), 8);
  return `13${d[0] ?? '8'}****${d.slice(4, 8)}`;
}

export function randomBuyerLabel(): string {
  return `buyer-${randomBytes(6).toString('hex')}`;
}

function randomDigits(count: number): string {
  let out = '';
  for (let i = 0; i < count; i += 1) out += String(randomInt(10));
  return out;
}

/** A 付款码 the counter routes to the right channel: WeChat 18 digits 10–15, Alipay 16–24 digits 25–30. */
export function newAuthCode(channel: 'wechatpay' | 'alipay'): string {
  if (channel === 'wechatpay') return `${String(10 + randomInt(6))}${randomDigits(16)}`;
  return `${String(25 + randomInt(6))}${randomDigits(16)}`;
}
