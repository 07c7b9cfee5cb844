// Delivers the notifications the sandbox owes, on each channel's retry schedule, until the merchant
// acknowledges them as that channel requires. WeChat notifications are signed at each attempt (a
// retry hours later must carry a fresh Wechatpay-Timestamp); the body itself never changes.
import { and, asc, eq, inArray, lte, sql } from 'drizzle-orm';
import type { Db } from '../../../db/client.js';
import { newWechatpayNonce, signWechatpayResponse } from '../channels/wechatpay-signature.js';
import { isAcknowledged, nextNotificationAttempt } from './notification-schedule.js';
import { sandboxKeysFor, type SandboxKeys } from './sandbox-keys.js';
import { merchantById, type SandboxMerchant } from './sandbox-merchants.js';
import { closeExpiredTrades, settleProcessingRefunds, type SandboxContext } from './sandbox-trades.js';
import { sandboxMerchants, sandboxNotifications, sandboxTrades } from './schema.js';

export type SandboxNotification = typeof sandboxNotifications.$inferSelect;

/** How a replayed notification is spoiled, to prove the receiver refuses it. */
export type Tamper = 'none' | 'body' | 'tag' | 'signature' | 'stale';

export interface AttemptRecord {
  readonly at: string;
  readonly status: number | null;
  readonly body: string;
  readonly acknowledged: boolean;
  readonly replay?: Tamper;
}

const DELIVERY_TIMEOUT_MS = 5_000; // WeChat Pay expects an answer within 5 s
const LEASE_MS = 60_000;

/** Signs a WeChat notification with the key the merchant verifies with (public key or certificate). */
export function wechatSigningKey(keys: SandboxKeys, merchant: Pick<SandboxMerchant, 'verification'>) {
  return merchant.verification === 'platform_certificate' ? keys.wechatpay_platform_certificate : keys.wechatpay_public_key;
}

function flipTagByte(body: string): string {
  const envelope = JSON.parse(body) as { resource: { ciphertext: string } };
  const sealed = Buffer.from(envelope.resource.ciphertext, 'base64');
  sealed[sealed.length - 1] = (sealed[sealed.length - 1] ?? 0) ^ 0x01;
  envelope.resource.ciphertext = sealed.toString('base64');
  return JSON.stringify(envelope);
}

function tamperAlipayBody(body: string): string {
  const form = new URLSearchParams(body);
  form.set('total_amount', '0.01' === form.get('total_amount') ? '0.02' : '0.01');
  return form.toString();
}

/** The request a delivery makes: body and headers, spoiled on purpose when asked. */
export function notificationRequest(keys: SandboxKeys, merchant: Pick<SandboxMerchant, 'verification'>, notification: Pick<SandboxNotification, 'channel' | 'body'>, now: Date, tamper: Tamper = 'none'): { headers: Record<string, string>; body: string } {
  if (notification.channel === 'alipay') {
    const headers = { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' };
    if (tamper === 'body') return { headers, body: tamperAlipayBody(notification.body) };
    if (tamper === 'signature') {
      const form = new URLSearchParams(notification.body);
      const sign = Buffer.from(form.get('sign') ?? '', 'base64');
      sign[0] = (sign[0] ?? 0) ^ 0x01;
      form.set('sign', sign.toString('base64'));
      return { headers, body: form.toString() };
    }
    return { headers, body: notification.body };
  }
  const key = wechatSigningKey(keys, merchant);
  // A flipped tag is signed afterwards, so only the AES-GCM tag check can catch it.
  const body = tamper === 'tag' ? flipTagByte(notification.body) : notification.body;
  const timestamp = Math.floor(now.getTime() / 1000) - (tamper === 'stale' ? 600 : 0);
  const signed = signWechatpayResponse({ timestamp, nonce: newWechatpayNonce(), body, serial: key.serial, privateKey: key.privateKey });
  if (tamper === 'signature') {
    const signature = Buffer.from(signed['Wechatpay-Signature'], 'base64');
    signature[0] = (signature[0] ?? 0) ^ 0x01;
    signed['Wechatpay-Signature'] = signature.toString('base64');
  }
  const sent = tamper === 'body' ? body.replace('"summary":"', '"summary":"x') : body;
  return { headers: { 'content-type': 'application/json', ...signed }, body: sent };
}

async function post(fetchImpl: typeof fetch, url: string, request: { headers: Record<string, string>; body: string }): Promise<{ status: number | null; body: string }> {
  try {
    const response = await fetchImpl(url, { method: 'POST', headers: request.headers, body: request.body, signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS) });
    return { status: response.status, body: (await response.text()).slice(0, 500) };
  } catch (error) {
    return { status: null, body: (error as Error).message.slice(0, 500) };
  }
}

// The secret key that opens the sandbox's sealed keys, per database: `sandboxRoutes` registers it so
// that workers and tests can call `runSandboxNotifications(db, now)` as the brief has it.
const secretKeys = new WeakMap<Db, string>();

export function registerSandboxSecret(db: Db, secretKey: string): void {
  secretKeys.set(db, secretKey);
}

async function contextFor(db: Db, secretKey: string | undefined): Promise<SandboxContext> {
  const key = secretKey ?? secretKeys.get(db);
  if (key === undefined) throw new Error('sandbox: no secret key for this database (mount sandboxRoutes or pass secretKey)');
  return { db, secretKey: key, keys: await sandboxKeysFor(db, key) };
}

export interface SandboxRunSummary {
  readonly delivered: number;
  readonly failed: number;
  readonly refundsSettled: number;
  readonly tradesClosed: number;
}

/**
 * One round of the sandbox clock at `now`: closes expired trades, completes WeChat refunds, and
 * delivers every notification that is due. Rows are claimed with SKIP LOCKED and a lease, so
 * several workers never send the same attempt twice.
 */
export async function runSandboxNotifications(db: Db, now: Date, fetchImpl: typeof fetch = globalThis.fetch, secretKey?: string): Promise<SandboxRunSummary> {
  const ctx = await contextFor(db, secretKey);
  const tradesClosed = await closeExpiredTrades(db, now);
  const refundsSettled = await settleProcessingRefunds(ctx, now);
  const claimed = await db.transaction(async (tx) => {
    const due = await tx
      .select({ id: sandboxNotifications.id })
      .from(sandboxNotifications)
      .where(and(eq(sandboxNotifications.status, 'pending'), lte(sandboxNotifications.nextAttemptAt, now)))
      .orderBy(asc(sandboxNotifications.nextAttemptAt))
      .limit(100)
      .for('update', { skipLocked: true });
    if (!due.length) return [];
    return tx
      .update(sandboxNotifications)
      .set({ nextAttemptAt: new Date(now.getTime() + LEASE_MS) })
      .where(inArray(sandboxNotifications.id, due.map((row) => row.id)))
      .returning();
  });
  const merchants = new Map<string, SandboxMerchant>();
  if (claimed.length) {
    const rows = await db.select().from(sandboxMerchants).where(inArray(sandboxMerchants.id, [...new Set(claimed.map((row) => row.merchantId))]));
    for (const row of rows) merchants.set(row.id, row);
  }
  let delivered = 0;
  let failed = 0;
  await Promise.all(
    claimed.map(async (notification) => {
      const merchant = merchants.get(notification.merchantId);
      if (!merchant) return;
      const answer = await post(fetchImpl, notification.url, notificationRequest(ctx.keys, merchant, notification, now));
      const acknowledged = answer.status !== null && isAcknowledged(notification.channel as 'wechatpay' | 'alipay', answer.status, answer.body);
      const attempts = notification.attempts + 1;
      const next = acknowledged ? null : nextNotificationAttempt(notification.channel as 'wechatpay' | 'alipay', attempts, now);
      const record: AttemptRecord = { at: now.toISOString(), status: answer.status, body: answer.body, acknowledged };
      await db
        .update(sandboxNotifications)
        .set({
          attempts,
          status: acknowledged ? 'delivered' : next === null ? 'given_up' : 'pending',
          nextAttemptAt: next,
          deliveredAt: acknowledged ? now : null,
          attemptLog: sql`${sandboxNotifications.attemptLog} || ${JSON.stringify([record])}::jsonb`,
        })
        .where(eq(sandboxNotifications.id, notification.id));
      if (acknowledged) delivered += 1;
      else failed += 1;
    }),
  );
  return { delivered, failed, refundsSettled, tradesClosed };
}

/**
 * Sends one notification `times` times at once (a duplicate burst), optionally spoiled. The replays
 * are logged but do not change the notification's own delivery state.
 */
export async function replayNotification(ctx: SandboxContext, id: string, times: number, tamper: Tamper, now: Date, fetchImpl: typeof fetch = globalThis.fetch): Promise<{ status: number | null; body: string }[] | undefined> {
  const [notification] = await ctx.db.select().from(sandboxNotifications).where(eq(sandboxNotifications.id, id));
  if (!notification) return undefined;
  const merchant = await merchantById(ctx.db, notification.merchantId);
  if (!merchant) return undefined;
  const answers = await Promise.all(Array.from({ length: times }, () => post(fetchImpl, notification.url, notificationRequest(ctx.keys, merchant, notification, now, tamper))));
  const records: AttemptRecord[] = answers.map((answer) => ({
    at: now.toISOString(),
    status: answer.status,
    body: answer.body,
    acknowledged: answer.status !== null && isAcknowledged(notification.channel as 'wechatpay' | 'alipay', answer.status, answer.body),
    replay: tamper,
  }));
  await ctx.db
    .update(sandboxNotifications)
    .set({ attemptLog: sql`${sandboxNotifications.attemptLog} || ${JSON.stringify(records)}::jsonb` })
    .where(eq(sandboxNotifications.id, id));
  return answers;
}

export async function listNotifications(db: Db, filter: { outTradeNo?: string | undefined; channel?: string | undefined }): Promise<(SandboxNotification & { outTradeNo: string })[]> {
  const conditions = [];
  if (filter.outTradeNo !== undefined) conditions.push(eq(sandboxTrades.outTradeNo, filter.outTradeNo));
  if (filter.channel !== undefined) conditions.push(eq(sandboxNotifications.channel, filter.channel));
  const rows = await db
    .select({ notification: sandboxNotifications, outTradeNo: sandboxTrades.outTradeNo })
    .from(sandboxNotifications)
    .innerJoin(sandboxTrades, eq(sandboxTrades.id, sandboxNotifications.tradeId))
    .where(conditions.length ? and(...conditions) : undefined)
    .orderBy(asc(sandboxNotifications.createdAt), asc(sandboxNotifications.id))
    .limit(200);
  return rows.map((row) => ({ ...row.notification, outTradeNo: row.outTradeNo }));
}
