import { performance } from 'node:perf_hooks';
import { and, eq, inArray, lte, ne, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { createSecretBox, type SecretBox } from '../../kernel/secret-box.js';
import { requireMerchantId, type AccessContext } from './access.js';
import { appendAudit } from './audit.js';
import { platformErrors } from './errors.js';
import { authorize } from './policy.js';
import { outboxEvents, webhookAttempts, webhookDeliveries, webhookEndpoints } from './schema.js';
import { afterFailedAttempt } from './webhook-schedule.js';
import { signatureHeader, signWebhook } from './webhook-signature.js';
import { isPrivateHostName, PrivateTargetError, publicOnlyLookup } from './webhook-target.js';
import { Agent, fetch as undiciFetch, type Response } from 'undici';

export type WebhookDelivery = typeof webhookDeliveries.$inferSelect;
type OutboxEvent = typeof outboxEvents.$inferSelect;

/** Endpoint signing secrets are sealed at rest under their own derived key. */
export function webhookSecretBox(secretKey: string): SecretBox {
  return createSecretBox(secretKey, 'platform.webhook-endpoint-secret');
}

/** The JSON object a receiver gets: the same for every attempt, so the event id dedupes retries. */
export function webhookPayload(event: Pick<OutboxEvent, 'id' | 'type' | 'merchantId' | 'occurredAt' | 'payload'>) {
  return { id: event.id, type: event.type, created_at: event.occurredAt.toISOString(), merchant_id: event.merchantId, data: event.payload };
}

export interface WebhookSenderOptions {
  readonly secretKey: string;
  /** Per attempt, connecting and reading the answer included. */
  readonly timeoutMs?: number;
  /** How far a claim pushes next_attempt_at ahead, so no other worker sends the same attempt; must exceed the timeout. */
  readonly leaseMs?: number;
  readonly batchSize?: number;
  /** Allow private, loopback and link-local targets (WEBHOOK_ALLOW_PRIVATE_TARGETS); refused by default. */
  readonly allowPrivateTargets?: boolean;
}

export interface DeliveryRunSummary {
  readonly attempted: number;
  readonly delivered: number;
  readonly retrying: number;
  readonly failed: number;
}

export interface WebhookSender {
  /** Sends every delivery due at `now` (explicit so tests can move the clock). */
  runDue(now?: Date): Promise<DeliveryRunSummary>;
  /** Sends one delivery now, whatever its status, as a manual attempt. */
  resend(ctx: AccessContext, deliveryId: string, now?: Date): Promise<WebhookDelivery>;
}

interface ClaimedAttempt {
  readonly delivery: WebhookDelivery;
  readonly attemptNo: number;
  readonly url: string;
  readonly secretCiphertext: string;
  readonly event: OutboxEvent;
  readonly manual: boolean;
}

interface AttemptOutcome {
  readonly ok: boolean;
  readonly statusCode: number | null;
  readonly error: string | null;
  readonly durationMs: number;
}

const userAgent = 'MemberPlus-Webhooks/1';
const errorSnippetBytes = 200;

export function createWebhookSender(db: Db, options: WebhookSenderOptions): WebhookSender {
  const secrets = webhookSecretBox(options.secretKey);
  const timeoutMs = options.timeoutMs ?? 10_000;
  const leaseMs = Math.max(options.leaseMs ?? 120_000, timeoutMs * 2);
  const batchSize = options.batchSize ?? 25;
  const allowPrivate = options.allowPrivateTargets ?? false;
  // The address check happens when the socket connects, on what DNS answered then.
  const dispatcher = allowPrivate ? undefined : new Agent({ connect: { lookup: publicOnlyLookup } });

  async function send(claim: ClaimedAttempt, now: Date): Promise<AttemptOutcome> {
    const body = JSON.stringify(webhookPayload(claim.event));
    const started = performance.now();
    const finish = (ok: boolean, statusCode: number | null, error: string | null): AttemptOutcome => ({
      ok,
      statusCode,
      error,
      durationMs: Math.round(performance.now() - started),
    });
    let secret: string;
    try {
      secret = secrets.open(claim.secretCiphertext);
    } catch {
      return finish(false, null, 'endpoint secret cannot be opened (was the secret key changed?)');
    }
    if (!allowPrivate && isPrivateHostName(new URL(claim.url).hostname)) return finish(false, null, new PrivateTargetError(new URL(claim.url).hostname).message);
    try {
      const response = await undiciFetch(claim.url, {
        ...(dispatcher && { dispatcher }),
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': userAgent,
          [signatureHeader]: signWebhook(secret, body, Math.floor(now.getTime() / 1000)),
          'MemberPlus-Event-Id': claim.event.id,
          'MemberPlus-Event-Type': claim.event.type,
        },
        body,
        // A redirect is an answer, not a success: following it could send the event somewhere else.
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      });
      const ok = response.status >= 200 && response.status < 300;
      const snippet = await readSnippet(response);
      return finish(ok, response.status, ok ? null : `HTTP ${response.status}${snippet ? `: ${snippet}` : ''}`);
    } catch (error) {
      return finish(false, null, describeFetchError(error, timeoutMs));
    }
  }

  async function record(claim: ClaimedAttempt, outcome: AttemptOutcome, now: Date): Promise<WebhookDelivery | undefined> {
    const { delivery } = claim;
    const own = and(eq(webhookDeliveries.merchantId, delivery.merchantId), eq(webhookDeliveries.id, delivery.id));
    return db.transaction(async (tx) => {
      await tx
        .insert(webhookAttempts)
        .values({
          merchantId: delivery.merchantId,
          deliveryId: delivery.id,
          attemptNo: claim.attemptNo,
          attemptedAt: now,
          statusCode: outcome.statusCode,
          error: outcome.error,
          durationMs: outcome.durationMs,
          manual: claim.manual,
        })
        .onConflictDoNothing();
      const last = { lastStatusCode: outcome.statusCode, lastError: outcome.error, lastAttemptAt: now };
      if (outcome.ok) {
        const [row] = await tx
          .update(webhookDeliveries)
          .set({ ...last, status: 'delivered', nextAttemptAt: null, deliveredAt: sql`coalesce(${webhookDeliveries.deliveredAt}, ${now.toISOString()}::timestamptz)` })
          .where(own)
          .returning();
        return row;
      }
      if (claim.manual) {
        // A failed manual resend leaves the status and the automatic schedule as they were.
        const [row] = await tx.update(webhookDeliveries).set(last).where(and(own, ne(webhookDeliveries.status, 'delivered'))).returning();
        return row;
      }
      const next = afterFailedAttempt(delivery.scheduledAttempts, now);
      // Guarded by the schedule position: a worker whose lease ran out must not overwrite a newer attempt.
      const [row] = await tx
        .update(webhookDeliveries)
        .set({ ...last, status: next.status, nextAttemptAt: next.nextAttemptAt })
        .where(and(own, eq(webhookDeliveries.status, 'pending'), eq(webhookDeliveries.scheduledAttempts, delivery.scheduledAttempts)))
        .returning();
      return row;
    });
  }

  /**
   * Claims due deliveries: rows locked by another worker are skipped, and the claimed ones get
   * their attempt number and a lease (next_attempt_at pushed ahead) before the transaction ends,
   * so no other worker sends the same attempt. Deliveries of disabled endpoints wait, unclaimed.
   */
  async function claimDue(now: Date): Promise<ClaimedAttempt[]> {
    return db.transaction(async (tx) => {
      const rows = await tx
        .select({ delivery: webhookDeliveries, url: webhookEndpoints.url, secretCiphertext: webhookEndpoints.secretCiphertext, event: outboxEvents })
        .from(webhookDeliveries)
        .innerJoin(webhookEndpoints, and(eq(webhookEndpoints.merchantId, webhookDeliveries.merchantId), eq(webhookEndpoints.id, webhookDeliveries.endpointId)))
        .innerJoin(outboxEvents, and(eq(outboxEvents.merchantId, webhookDeliveries.merchantId), eq(outboxEvents.id, webhookDeliveries.eventId)))
        .where(and(eq(webhookDeliveries.status, 'pending'), lte(webhookDeliveries.nextAttemptAt, now), eq(webhookEndpoints.enabled, true)))
        .orderBy(webhookDeliveries.nextAttemptAt)
        .limit(batchSize)
        .for('update', { of: webhookDeliveries, skipLocked: true });
      if (!rows.length) return [];
      const claimed = await tx
        .update(webhookDeliveries)
        .set({
          attempts: sql`${webhookDeliveries.attempts} + 1`,
          scheduledAttempts: sql`${webhookDeliveries.scheduledAttempts} + 1`,
          nextAttemptAt: new Date(now.getTime() + leaseMs),
        })
        .where(
          and(
            inArray(webhookDeliveries.merchantId, [...new Set(rows.map((r) => r.delivery.merchantId))]),
            inArray(webhookDeliveries.id, rows.map((r) => r.delivery.id)),
          ),
        )
        .returning();
      const byId = new Map(claimed.map((d) => [d.id, d]));
      return rows.map((r) => {
        const delivery = byId.get(r.delivery.id)!;
        return { delivery, attemptNo: delivery.attempts, url: r.url, secretCiphertext: r.secretCiphertext, event: r.event, manual: false };
      });
    });
  }

  async function runDue(now: Date = new Date()): Promise<DeliveryRunSummary> {
    const summary = { attempted: 0, delivered: 0, retrying: 0, failed: 0 };
    // Bounded so that one call cannot run forever under a flood; the next tick continues.
    for (let batch = 0; batch < 20; batch++) {
      const claims = await claimDue(now);
      const results = await Promise.all(
        claims.map(async (claim) => {
          const outcome = await send(claim, now);
          return record(claim, outcome, now);
        }),
      );
      summary.attempted += claims.length;
      for (const row of results) {
        if (row?.status === 'delivered') summary.delivered++;
        else if (row?.status === 'failed') summary.failed++;
        else if (row) summary.retrying++;
      }
      if (claims.length < batchSize) break;
    }
    return summary;
  }

  async function resend(ctx: AccessContext, deliveryId: string, now: Date = new Date()): Promise<WebhookDelivery> {
    authorize(ctx, 'webhooks.write');
    const merchantId = requireMerchantId(ctx);
    const claim = await db.transaction(async (tx) => {
      const [row] = await tx
        .select({ delivery: webhookDeliveries, url: webhookEndpoints.url, secretCiphertext: webhookEndpoints.secretCiphertext, event: outboxEvents })
        .from(webhookDeliveries)
        .leftJoin(webhookEndpoints, and(eq(webhookEndpoints.merchantId, webhookDeliveries.merchantId), eq(webhookEndpoints.id, webhookDeliveries.endpointId)))
        .innerJoin(outboxEvents, and(eq(outboxEvents.merchantId, webhookDeliveries.merchantId), eq(outboxEvents.id, webhookDeliveries.eventId)))
        .where(and(eq(webhookDeliveries.merchantId, merchantId), eq(webhookDeliveries.id, deliveryId)))
        .for('update', { of: webhookDeliveries });
      if (!row) throw platformErrors.make('webhook_delivery_not_found');
      if (row.url === null || row.secretCiphertext === null) throw platformErrors.make('webhook_endpoint_not_found', 'the endpoint of this delivery was deleted');
      const [delivery] = await tx
        .update(webhookDeliveries)
        .set({ attempts: sql`${webhookDeliveries.attempts} + 1` })
        .where(and(eq(webhookDeliveries.merchantId, merchantId), eq(webhookDeliveries.id, deliveryId)))
        .returning();
      await appendAudit(tx, ctx, {
        action: 'webhook_delivery.resend',
        targetType: 'webhook_delivery',
        targetId: deliveryId,
        before: { status: row.delivery.status, attempts: row.delivery.attempts },
        after: { attempt_no: delivery!.attempts },
      });
      return { delivery: delivery!, attemptNo: delivery!.attempts, url: row.url, secretCiphertext: row.secretCiphertext, event: row.event, manual: true };
    });
    const outcome = await send(claim, now);
    await record(claim, outcome, now);
    const [after] = await db.select().from(webhookDeliveries).where(and(eq(webhookDeliveries.merchantId, merchantId), eq(webhookDeliveries.id, deliveryId)));
    return after ?? claim.delivery;
  }

  return { runDue, resend };
}

/** The start of the receiver's answer, kept for the delivery log; the rest is not read. */
async function readSnippet(response: Response): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < errorSnippetBytes) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } catch {
    // A broken or slow answer body does not change the status code we already have.
  } finally {
    await reader.cancel().catch(() => {});
  }
  return Buffer.concat(chunks).subarray(0, errorSnippetBytes).toString('utf8').replace(/\s+/g, ' ').trim();
}

function describeFetchError(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return `timeout after ${timeoutMs} ms`;
  if (error instanceof Error) {
    const cause = error.cause as { code?: unknown; message?: unknown } | undefined;
    if (cause && typeof cause.code === 'string') return `${cause.code}${typeof cause.message === 'string' ? `: ${cause.message}` : ''}`.slice(0, 300);
    return error.message.slice(0, 300);
  }
  return 'request failed';
}
