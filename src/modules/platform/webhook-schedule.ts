// Retry schedule of outgoing webhooks: how long to wait before each automatic attempt. Receivers
// that are down for a day still get every event; after the last attempt the delivery is dead
// (`failed`) and only a manual resend sends it again.

const minute = 60_000;
const hour = 60 * minute;

/** Delay before attempt n+1, counted from attempt n (the first attempt goes out at once). */
export const webhookRetryDelaysMs: readonly number[] = [
  0,
  1 * minute,
  5 * minute,
  10 * minute,
  30 * minute,
  1 * hour,
  2 * hour,
  4 * hour,
  8 * hour,
  8 * hour,
  8 * hour,
];

export const webhookMaxAttempts = webhookRetryDelaysMs.length;

/** Time from the first attempt to the last one: the span over which a receiver may recover. */
export const webhookRetrySpanMs = webhookRetryDelaysMs.reduce((sum, delay) => sum + delay, 0);

export type NextAttempt = { readonly status: 'pending'; readonly nextAttemptAt: Date } | { readonly status: 'failed'; readonly nextAttemptAt: null };

/**
 * What follows a failed automatic attempt: another attempt after the scheduled delay, or `failed`
 * when the schedule is exhausted. `attemptsMade` counts automatic attempts only (manual resends
 * do not use up the schedule).
 */
export function afterFailedAttempt(attemptsMade: number, now: Date): NextAttempt {
  if (!Number.isInteger(attemptsMade) || attemptsMade < 1) throw new RangeError(`attemptsMade must be a positive integer, got ${attemptsMade}`);
  const delay = webhookRetryDelaysMs[attemptsMade];
  if (delay === undefined) return { status: 'failed', nextAttemptAt: null };
  return { status: 'pending', nextAttemptAt: new Date(now.getTime() + delay) };
}

/** When the first attempt of a new delivery is due. */
export function firstAttemptAt(now: Date): Date {
  return new Date(now.getTime() + webhookRetryDelaysMs[0]!);
}
