import type { FastifyBaseLogger } from 'fastify';
import type { Config } from './config.js';
import type { DatabaseHandle } from './db/client.js';
import { runSandboxNotifications } from './modules/payments/sandbox/index.js';
import { runMembershipWorkers } from './modules/membership/index.js';
import { runPaymentWorkers } from './modules/payments/index.js';
import { createWebhookSender, dispatchOutbox, pruneOutbox, runEventConsumers } from './modules/platform/index.js';

export interface Workers {
  stop(): Promise<void>;
}

export interface WorkerOptions {
  /** Pause between two rounds when the previous one found nothing to do. */
  readonly intervalMs?: number;
}

/**
 * Background work runs in-process: every round moves committed outbox events into webhook
 * deliveries and sends the deliveries that are due. Several processes may run this side by side:
 * both steps claim their rows with SKIP LOCKED. `stop()` lets the round in flight finish.
 */
export function startWorkers(config: Config, database: DatabaseHandle, log: FastifyBaseLogger, options: WorkerOptions = {}): Workers {
  if (!config.WEBHOOK_WORKER) {
    log.info('webhook worker disabled (WEBHOOK_WORKER=false)');
    return { stop: async () => {} };
  }
  const intervalMs = options.intervalMs ?? 1_000;
  const dispatchBatch = 100;
  const sender = createWebhookSender(database.db, { secretKey: config.secretKey, allowPrivateTargets: config.WEBHOOK_ALLOW_PRIVATE_TARGETS });
  let stopped = false;
  let lastPruneAt = 0;
  let timer: NodeJS.Timeout | undefined;
  let wake: (() => void) | undefined;

  async function runRound(): Promise<void> {
    const now = new Date();
    // Drain the outbox first so events published just now go out in this same round.
    for (let i = 0; i < 50 && !stopped; i++) {
      const dispatched = await dispatchOutbox(database.db, { now, batchSize: dispatchBatch });
      if (dispatched.events < dispatchBatch) break;
    }
    // In-process subscribers (membership accrual on payment.succeeded, …) before the slower webhooks.
    if (!stopped) await runEventConsumers(database.db, { now }).catch((error: unknown) => log.error({ err: error }, 'event consumers round failed'));
    if (!stopped) await sender.runDue(now);
    // The built-in sandbox channels' clock: their notifications, retries and refund completions.
    if (!stopped) await runSandboxNotifications(database.db, now, fetch, config.secretKey).catch((error: unknown) => log.error({ err: error }, 'sandbox notifications round failed'));
    // Retention, hourly: finished events older than EVENT_RETENTION_DAYS go, with their deliveries.
    if (!stopped && now.getTime() - lastPruneAt >= 3_600_000) {
      lastPruneAt = now.getTime();
      for (let i = 0; i < 20 && !stopped; i++) {
        const pruned = await pruneOutbox(database.db, { now, keepDays: config.EVENT_RETENTION_DAYS }).catch((error: unknown) => {
          log.error({ err: error }, 'outbox retention failed');
          return null;
        });
        if (!pruned || pruned.events < 1_000) break;
      }
    }
    // Payments: unprocessed notifications, late confirmations by query, expiry of unpaid orders.
    if (!stopped) await runPaymentWorkers(database.db, config, now).catch((error: unknown) => log.error({ err: error }, 'payments round failed'));
    // Membership: checkouts and top-ups whose payment ended unheard, orphan refunds (every 15 s);
    // points expiry and tier sweeps (hourly).
    if (!stopped) await runMembershipWorkers(database.db, config, now).catch((error: unknown) => log.error({ err: error }, 'membership round failed'));
  }

  async function loop(): Promise<void> {
    while (!stopped) {
      await runRound().catch((error: unknown) => log.error({ err: error }, 'webhook worker round failed'));
      if (stopped) break;
      await new Promise<void>((resolve) => {
        wake = resolve;
        timer = setTimeout(resolve, intervalMs);
      });
    }
  }

  const running = loop();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      wake?.();
      await running;
    },
  };
}
