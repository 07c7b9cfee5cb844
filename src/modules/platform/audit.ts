import { and, asc, desc, eq, gte, lt, lte, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { newId } from '../../kernel/ids.js';
import type { AccessContext } from './access.js';
import { auditEntryHash, findChainBreak, genesisHash, type AuditEntryContent, type ChainBreak } from './audit-hash.js';
import { authorize } from './policy.js';
import { auditEntries, auditHeads } from './schema.js';

export interface AuditRecord {
  readonly action: string;
  readonly targetType: string;
  readonly targetId: string;
  readonly before?: unknown;
  readonly after?: unknown;
}

/** Each merchant has its own chain; the operator's own actions form the operator's chain. */
export function auditChainOf(ctx: Pick<AccessContext, 'merchantId' | 'operatorId'>): string {
  return ctx.merchantId ?? ctx.operatorId;
}

// Transactions inside withDeferredAudit: their entries wait here and are chained at the end.
const deferredBatches = new WeakMap<Db, { ctx: AccessContext; record: AuditRecord }[]>();

/**
 * Runs `work` in `tx` with its audit entries held back and appended together when it returns, still
 * inside `tx`. The chain head is then locked only for the last moments of the transaction instead of
 * from its first audited write: a merchant's long multi-step transactions (a checkout spends a
 * coupon, points and stored value, each audited) stop queueing behind one another's head lock.
 * If `work` throws, nothing is appended (and the transaction rolls back anyway).
 */
export async function withDeferredAudit<T>(tx: Db, work: () => Promise<T>): Promise<T> {
  if (deferredBatches.has(tx)) return work();
  const batch: { ctx: AccessContext; record: AuditRecord }[] = [];
  deferredBatches.set(tx, batch);
  let result: T;
  try {
    result = await work();
  } finally {
    deferredBatches.delete(tx);
  }
  // Chains in a fixed order, so two deferred transactions touching the same chains cannot deadlock.
  const chains = [...new Set(batch.map((entry) => auditChainOf(entry.ctx)))].sort();
  for (const chainId of chains) {
    for (const entry of batch.filter((e) => auditChainOf(e.ctx) === chainId)) await appendNow(tx, entry.ctx, entry.record);
  }
  return result;
}

/**
 * Appends one entry inside the caller's transaction, so the change and its record commit together.
 * The chain head row is locked so concurrent writers of one merchant queue instead of forking it.
 * Inside withDeferredAudit the entry is appended when that block ends (same transaction).
 */
export async function appendAudit(tx: Db, ctx: AccessContext, record: AuditRecord): Promise<void> {
  const batch = deferredBatches.get(tx);
  if (batch) {
    batch.push({ ctx, record });
    return;
  }
  await appendNow(tx, ctx, record);
}

async function appendNow(tx: Db, ctx: AccessContext, record: AuditRecord): Promise<void> {
  const chainId = auditChainOf(ctx);
  await tx.insert(auditHeads).values({ chainId, seq: 0, hash: genesisHash }).onConflictDoNothing();
  const [head] = await tx.select().from(auditHeads).where(eq(auditHeads.chainId, chainId)).for('update');
  if (!head) throw new Error(`audit head missing for ${chainId}`);
  const content: AuditEntryContent = {
    chainId,
    seq: head.seq + 1,
    id: newId('audit'),
    occurredAt: new Date().toISOString(),
    operatorId: ctx.operatorId,
    merchantId: ctx.merchantId,
    actorKind: ctx.actor.kind,
    actorId: ctx.actor.id,
    actorLabel: ctx.actor.label,
    action: record.action,
    targetType: record.targetType,
    targetId: record.targetId,
    before: record.before ?? null,
    after: record.after ?? null,
    requestId: ctx.requestId ?? null,
    prevHash: head.hash,
  };
  const hash = auditEntryHash(content);
  await tx.insert(auditEntries).values({ ...content, occurredAt: new Date(content.occurredAt), hash });
  await tx.update(auditHeads).set({ seq: content.seq, hash }).where(eq(auditHeads.chainId, chainId));
}

type AuditRow = typeof auditEntries.$inferSelect;

function toContent(row: AuditRow): AuditEntryContent & { hash: string } {
  return {
    chainId: row.chainId,
    seq: Number(row.seq),
    id: row.id,
    occurredAt: row.occurredAt.toISOString(),
    operatorId: row.operatorId,
    merchantId: row.merchantId,
    actorKind: row.actorKind,
    actorId: row.actorId,
    actorLabel: row.actorLabel,
    action: row.action,
    targetType: row.targetType,
    targetId: row.targetId,
    before: row.before,
    after: row.after,
    requestId: row.requestId,
    prevHash: row.prevHash,
    hash: row.hash,
  };
}

export interface AuditFilter {
  readonly action?: string | undefined;
  readonly actorId?: string | undefined;
  readonly targetType?: string | undefined;
  readonly targetId?: string | undefined;
  readonly from?: Date | undefined;
  readonly to?: Date | undefined;
  /** Cursor: the seq of the last entry of the previous page. */
  readonly before?: number | undefined;
  readonly limit?: number | undefined;
}

export async function listAuditEntries(db: Db, ctx: AccessContext, filter: AuditFilter) {
  authorize(ctx, ctx.merchantId ? 'audit.read' : 'operator.audit.read');
  const conditions: SQL[] = [eq(auditEntries.chainId, auditChainOf(ctx))];
  if (filter.action) conditions.push(eq(auditEntries.action, filter.action));
  if (filter.actorId) conditions.push(eq(auditEntries.actorId, filter.actorId));
  if (filter.targetType) conditions.push(eq(auditEntries.targetType, filter.targetType));
  if (filter.targetId) conditions.push(eq(auditEntries.targetId, filter.targetId));
  if (filter.from) conditions.push(gte(auditEntries.occurredAt, filter.from));
  if (filter.to) conditions.push(lte(auditEntries.occurredAt, filter.to));
  if (filter.before) conditions.push(lt(auditEntries.seq, filter.before));
  const limit = Math.min(filter.limit ?? 50, 200);
  const rows = await db
    .select()
    .from(auditEntries)
    .where(and(...conditions))
    .orderBy(desc(auditEntries.seq))
    .limit(limit + 1);
  const page = rows.slice(0, limit).map(toContent);
  const last = page.at(-1);
  return { items: page, nextCursor: rows.length > limit && last ? String(last.seq) : null };
}

export interface ChainVerification {
  readonly chainId: string;
  readonly entries: number;
  readonly ok: boolean;
  readonly firstBreak: ChainBreak | null;
}

async function verifyChain(db: Db, chainId: string): Promise<ChainVerification> {
  const rows = await db.select().from(auditEntries).where(eq(auditEntries.chainId, chainId)).orderBy(asc(auditEntries.seq));
  const [head] = await db.select().from(auditHeads).where(eq(auditHeads.chainId, chainId));
  const firstBreak = findChainBreak(rows.map(toContent), head ? { seq: Number(head.seq), hash: head.hash } : null);
  return { chainId, entries: rows.length, ok: firstBreak === null, firstBreak };
}

/** Verifies the caller's own chain. */
export async function verifyAuditChain(db: Db, ctx: AccessContext): Promise<ChainVerification> {
  authorize(ctx, ctx.merchantId ? 'audit.read' : 'operator.audit.read');
  return verifyChain(db, auditChainOf(ctx));
}

/** Verifies every chain in the database (the CLI's `audit verify`, run by whoever holds the database). */
export async function verifyAllAuditChains(db: Db): Promise<ChainVerification[]> {
  // Both drivers (pg, PGlite) answer raw SQL with `{ rows }`; Db's generic result type cannot say so.
  const result = await db.execute<{ chain_id: string }>(
    sql`select chain_id from ${auditHeads} union select distinct chain_id from ${auditEntries} order by 1`,
  );
  const chains = result as { rows: { chain_id: string }[] };
  const results: ChainVerification[] = [];
  for (const { chain_id } of chains.rows) results.push(await verifyChain(db, chain_id));
  return results;
}
