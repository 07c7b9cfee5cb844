import { createHash } from 'node:crypto';
import { and, eq, lt } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { canonicalJson } from '../../kernel/canonical-json.js';
import { commonErrors } from '../../kernel/errors.js';
import { idempotencyKeys } from './schema.js';

export interface IdempotentRequest {
  /** Whose key space: the caller (user or API key) within the merchant (or operator) it acts for. */
  readonly scope: string;
  readonly key: string;
  readonly method: string;
  readonly path: string;
  readonly body: unknown;
}

export type IdempotencyClaim =
  | { readonly kind: 'claimed' }
  | { readonly kind: 'replay'; readonly statusCode: number; readonly headers: Record<string, string>; readonly body: string };

export function requestFingerprint(req: Pick<IdempotentRequest, 'method' | 'path' | 'body'>): string {
  return createHash('sha256').update(`${req.method} ${req.path}\n${canonicalJson(req.body ?? null)}`).digest('hex');
}

/**
 * Claims a key before the handler runs. A finished key replays its first response; the same key
 * with another request is a conflict; a key still being processed is a conflict too (retry later).
 */
export async function claimIdempotencyKey(db: Db, req: IdempotentRequest): Promise<IdempotencyClaim> {
  const requestHash = requestFingerprint(req);
  const inserted = await db
    .insert(idempotencyKeys)
    .values({ scope: req.scope, key: req.key, requestHash, method: req.method, path: req.path })
    .onConflictDoNothing()
    .returning({ key: idempotencyKeys.key });
  if (inserted.length) return { kind: 'claimed' };
  const [existing] = await db
    .select()
    .from(idempotencyKeys)
    .where(and(eq(idempotencyKeys.scope, req.scope), eq(idempotencyKeys.key, req.key)));
  if (!existing) return claimIdempotencyKey(db, req);
  if (existing.requestHash !== requestHash) throw commonErrors.make('idempotency_key_reused');
  if (existing.statusCode === null || existing.responseBody === null) throw commonErrors.make('idempotency_in_progress');
  return {
    kind: 'replay',
    statusCode: existing.statusCode,
    headers: (existing.responseHeaders ?? {}) as Record<string, string>,
    body: existing.responseBody,
  };
}

export async function completeIdempotencyKey(
  db: Db,
  scope: string,
  key: string,
  response: { statusCode: number; headers: Record<string, string>; body: string },
): Promise<void> {
  await db
    .update(idempotencyKeys)
    .set({ statusCode: response.statusCode, responseHeaders: response.headers, responseBody: response.body, completedAt: new Date() })
    .where(and(eq(idempotencyKeys.scope, scope), eq(idempotencyKeys.key, key)));
}

/** A server failure releases the key so the client's retry runs again. */
export async function releaseIdempotencyKey(db: Db, scope: string, key: string): Promise<void> {
  await db.delete(idempotencyKeys).where(and(eq(idempotencyKeys.scope, scope), eq(idempotencyKeys.key, key)));
}

export async function purgeIdempotencyKeys(db: Db, olderThan: Date): Promise<void> {
  await db.delete(idempotencyKeys).where(lt(idempotencyKeys.createdAt, olderThan));
}
