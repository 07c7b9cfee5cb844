// When a channel retries a notification that was not acknowledged. Offsets are the wait before each
// attempt after the previous one; the first attempt goes at once. Figures from REFERENCE.md.

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

// WeChat Pay: 0s, 15s, 15s, 30s, 3m, 10m, 20m, 30m, 30m, 30m, 60m, 3h, 3h, 3h, 6h, 6h (~24 h).
export const WECHATPAY_RETRY_WAITS_MS: readonly number[] = [
  0, 15 * SECOND, 15 * SECOND, 30 * SECOND, 3 * MINUTE, 10 * MINUTE, 20 * MINUTE, 30 * MINUTE, 30 * MINUTE, 30 * MINUTE, 60 * MINUTE, 3 * HOUR, 3 * HOUR, 3 * HOUR, 6 * HOUR, 6 * HOUR,
];

// Alipay: at once, then 4m, 10m, 10m, 1h, 2h, 6h, 15h (~25 h).
export const ALIPAY_RETRY_WAITS_MS: readonly number[] = [0, 4 * MINUTE, 10 * MINUTE, 10 * MINUTE, HOUR, 2 * HOUR, 6 * HOUR, 15 * HOUR];

/**
 * After `attemptsMade` failed attempts, when the next one is due; null when the channel gives up.
 * `lastAttemptAt` is when the previous attempt was made.
 */
export function nextNotificationAttempt(channel: 'wechatpay' | 'alipay', attemptsMade: number, lastAttemptAt: Date): Date | null {
  const waits = channel === 'wechatpay' ? WECHATPAY_RETRY_WAITS_MS : ALIPAY_RETRY_WAITS_MS;
  const wait = waits[attemptsMade];
  return wait === undefined ? null : new Date(lastAttemptAt.getTime() + wait);
}

/** Whether a merchant's answer acknowledges the notification: WeChat any 2xx, Alipay the body `success`. */
export function isAcknowledged(channel: 'wechatpay' | 'alipay', status: number, body: string): boolean {
  if (channel === 'wechatpay') return status >= 200 && status < 300;
  return status === 200 && body.trim() === 'success';
}
