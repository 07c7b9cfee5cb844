import { and, asc, eq, gt, inArray, type SQL } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { newId } from '../../kernel/ids.js';
import { requireMerchantId, type AccessContext } from './access.js';
import { appendAudit } from './audit.js';
import { platformErrors } from './errors.js';
import { authorize } from './policy.js';
import { clampLimit, pageOf } from './paging.js';
import { agents, merchants, operators, stores } from './schema.js';
import { insertUser } from './staff.js';

export type Merchant = typeof merchants.$inferSelect;
export type Agent = typeof agents.$inferSelect;
export type Store = typeof stores.$inferSelect;

export async function createOperator(db: Db, name: string): Promise<{ id: string; name: string }> {
  const id = newId('operator');
  await db.insert(operators).values({ id, name });
  return { id, name };
}

export async function findFirstOperator(db: Db) {
  const [row] = await db.select().from(operators).orderBy(asc(operators.id)).limit(1);
  return row ?? null;
}

// ---- agents (operator) ----

export interface AgentInput {
  readonly name: string;
  readonly contactName?: string | undefined;
  readonly contactPhone?: string | undefined;
  readonly shareBps?: number | undefined;
}

export async function createAgent(db: Db, ctx: AccessContext, input: AgentInput): Promise<Agent> {
  authorize(ctx, 'operator.agents.write');
  return db.transaction(async (tx) => {
    const [agent] = await tx
      .insert(agents)
      .values({ id: newId('agent'), operatorId: ctx.operatorId, ...input, shareBps: input.shareBps ?? 0 })
      .returning();
    await appendAudit(tx, ctx, { action: 'agent.create', targetType: 'agent', targetId: agent!.id, after: input });
    return agent!;
  });
}

export async function listAgents(db: Db, ctx: AccessContext, opts: { after?: string | undefined; limit?: number | undefined }) {
  authorize(ctx, 'operator.agents.read');
  const limit = clampLimit(opts.limit);
  const conditions: SQL[] = [eq(agents.operatorId, ctx.operatorId)];
  if (opts.after) conditions.push(gt(agents.id, opts.after));
  const rows = await db.select().from(agents).where(and(...conditions)).orderBy(asc(agents.id)).limit(limit + 1);
  return pageOf(rows, limit);
}

export async function getAgent(db: Db, ctx: AccessContext, agentId: string): Promise<Agent> {
  authorize(ctx, 'operator.agents.read');
  const [agent] = await db.select().from(agents).where(and(eq(agents.operatorId, ctx.operatorId), eq(agents.id, agentId)));
  if (!agent) throw platformErrors.make('agent_not_found');
  return agent;
}

export async function updateAgent(
  db: Db,
  ctx: AccessContext,
  agentId: string,
  patch: Partial<AgentInput> & { status?: 'active' | 'disabled' | undefined },
): Promise<Agent> {
  authorize(ctx, 'operator.agents.write');
  return db.transaction(async (tx) => {
    const before = await getAgent(tx, ctx, agentId);
    const [after] = await tx
      .update(agents)
      .set({ ...patch, updatedAt: new Date() })
      .where(and(eq(agents.operatorId, ctx.operatorId), eq(agents.id, agentId)))
      .returning();
    await appendAudit(tx, ctx, { action: 'agent.update', targetType: 'agent', targetId: agentId, before: pick(before, patch), after: patch });
    return after!;
  });
}

// ---- merchants (operator, agent read-only) ----

export interface MerchantInput {
  readonly name: string;
  readonly legalName?: string | undefined;
  readonly agentId?: string | null | undefined;
  readonly timezone?: string | undefined;
}

export interface OwnerInput {
  readonly login: string;
  readonly displayName: string;
  readonly password: string;
  readonly phone?: string | undefined;
}

function merchantScope(ctx: AccessContext): SQL {
  const own = eq(merchants.operatorId, ctx.operatorId);
  if (ctx.actor.role === 'agent') return and(own, eq(merchants.agentId, ctx.agentId ?? '__none__'))!;
  return own;
}

/** Creates a merchant and, when given, its owner account in the same transaction. */
export async function createMerchant(db: Db, ctx: AccessContext, input: MerchantInput, owner?: OwnerInput): Promise<Merchant & { ownerId: string | null }> {
  authorize(ctx, 'operator.merchants.write');
  if (ctx.merchantId) throw platformErrors.make('operator_only');
  return db.transaction(async (tx) => {
    if (input.agentId) await getAgent(tx, ctx, input.agentId);
    const [merchant] = await tx
      .insert(merchants)
      .values({ id: newId('merchant'), operatorId: ctx.operatorId, ...input, agentId: input.agentId ?? null })
      .returning();
    await appendAudit(tx, ctx, { action: 'merchant.create', targetType: 'merchant', targetId: merchant!.id, after: input });
    let ownerId: string | null = null;
    if (owner) {
      ownerId = await insertUser(tx, { ...owner, role: 'merchant_owner', operatorId: ctx.operatorId, merchantId: merchant!.id });
      await appendAudit(tx, ctx, { action: 'staff.create', targetType: 'user', targetId: ownerId, after: { login: owner.login, role: 'merchant_owner', merchantId: merchant!.id } });
    }
    return { ...merchant!, ownerId };
  });
}

export async function listMerchants(
  db: Db,
  ctx: AccessContext,
  opts: { after?: string | undefined; limit?: number | undefined; agentId?: string | undefined },
) {
  authorize(ctx, 'operator.merchants.read');
  if (ctx.merchantId) throw platformErrors.make('operator_only');
  const limit = clampLimit(opts.limit);
  const conditions: SQL[] = [merchantScope(ctx)];
  if (opts.agentId) conditions.push(eq(merchants.agentId, opts.agentId));
  if (opts.after) conditions.push(gt(merchants.id, opts.after));
  const rows = await db.select().from(merchants).where(and(...conditions)).orderBy(asc(merchants.id)).limit(limit + 1);
  return pageOf(rows, limit);
}

export async function getMerchant(db: Db, ctx: AccessContext, merchantId: string): Promise<Merchant> {
  // A merchant's own staff read their merchant; the operator (and its agents) read theirs.
  if (ctx.merchantId) {
    authorize(ctx, 'merchant.read');
    if (ctx.merchantId !== merchantId) throw platformErrors.make('merchant_not_found');
    const [own] = await db.select().from(merchants).where(eq(merchants.id, merchantId));
    if (!own) throw platformErrors.make('merchant_not_found');
    return own;
  }
  authorize(ctx, 'operator.merchants.read');
  const [merchant] = await db.select().from(merchants).where(and(merchantScope(ctx), eq(merchants.id, merchantId)));
  if (!merchant) throw platformErrors.make('merchant_not_found');
  return merchant;
}

export async function updateMerchant(
  db: Db,
  ctx: AccessContext,
  merchantId: string,
  patch: Partial<MerchantInput> & { status?: 'active' | 'suspended' | undefined },
): Promise<Merchant> {
  authorize(ctx, 'operator.merchants.write');
  if (ctx.merchantId) throw platformErrors.make('operator_only');
  return db.transaction(async (tx) => {
    const before = await getMerchant(tx, ctx, merchantId);
    if (patch.agentId) await getAgent(tx, ctx, patch.agentId);
    const [after] = await tx
      .update(merchants)
      .set({ ...patch, updatedAt: new Date() })
      .where(and(eq(merchants.operatorId, ctx.operatorId), eq(merchants.id, merchantId)))
      .returning();
    await appendAudit(tx, ctx, { action: 'merchant.update', targetType: 'merchant', targetId: merchantId, before: pick(before, patch), after: patch });
    return after!;
  });
}

/** Internal lookup for other modules and the auth layer: no access check, no tenant filter. */
export async function findMerchantById(db: Db, merchantId: string): Promise<Merchant | null> {
  const [merchant] = await db.select().from(merchants).where(eq(merchants.id, merchantId));
  return merchant ?? null;
}

// ---- stores (merchant) ----

export interface StoreInput {
  readonly name: string;
  readonly address?: string | undefined;
  readonly phone?: string | undefined;
}

export async function createStore(db: Db, ctx: AccessContext, input: StoreInput): Promise<Store> {
  authorize(ctx, 'stores.write');
  const merchantId = requireMerchantId(ctx);
  return db.transaction(async (tx) => {
    const [store] = await tx.insert(stores).values({ merchantId, id: newId('store'), ...input }).returning();
    await appendAudit(tx, ctx, { action: 'store.create', targetType: 'store', targetId: store!.id, after: input });
    return store!;
  });
}

export async function listStores(db: Db, ctx: AccessContext, opts: { after?: string | undefined; limit?: number | undefined }) {
  authorize(ctx, 'stores.read');
  const merchantId = requireMerchantId(ctx);
  const limit = clampLimit(opts.limit);
  const conditions: SQL[] = [eq(stores.merchantId, merchantId)];
  if (ctx.storeScope !== 'all') conditions.push(inArray(stores.id, ctx.storeScope.length ? [...ctx.storeScope] : ['__none__']));
  if (opts.after) conditions.push(gt(stores.id, opts.after));
  const rows = await db.select().from(stores).where(and(...conditions)).orderBy(asc(stores.id)).limit(limit + 1);
  return pageOf(rows, limit);
}

export async function getStore(db: Db, ctx: AccessContext, storeId: string): Promise<Store> {
  authorize(ctx, 'stores.read');
  const merchantId = requireMerchantId(ctx);
  if (ctx.storeScope !== 'all' && !ctx.storeScope.includes(storeId)) throw platformErrors.make('store_not_found');
  const [store] = await db.select().from(stores).where(and(eq(stores.merchantId, merchantId), eq(stores.id, storeId)));
  if (!store) throw platformErrors.make('store_not_found');
  return store;
}

export async function updateStore(
  db: Db,
  ctx: AccessContext,
  storeId: string,
  patch: Partial<StoreInput> & { status?: 'active' | 'closed' | undefined },
): Promise<Store> {
  authorize(ctx, 'stores.write');
  const merchantId = requireMerchantId(ctx);
  return db.transaction(async (tx) => {
    const before = await getStore(tx, ctx, storeId);
    const [after] = await tx
      .update(stores)
      .set({ ...patch, updatedAt: new Date() })
      .where(and(eq(stores.merchantId, merchantId), eq(stores.id, storeId)))
      .returning();
    await appendAudit(tx, ctx, { action: 'store.update', targetType: 'store', targetId: storeId, before: pick(before, patch), after: patch });
    return after!;
  });
}

/** The before-summary of an update: only the fields the patch touches. */
function pick<T extends object>(row: T, patch: object): Partial<T> {
  const out: Partial<T> = {};
  for (const key of Object.keys(patch)) if (key in row) out[key as keyof T] = row[key as keyof T];
  return out;
}
