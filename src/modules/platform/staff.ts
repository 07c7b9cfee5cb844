import { and, asc, eq, gt, inArray, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { newId } from '../../kernel/ids.js';
import { requireMerchantId, type AccessContext } from './access.js';
import { appendAudit } from './audit.js';
import { revokeSessionsOfUser } from './auth.js';
import { platformErrors } from './errors.js';
import { passwordProblems } from './password-policy.js';
import { authorize } from './policy.js';
import { canAssignRole, isMerchantRole, isStoreScoped, type Role } from './roles.js';
import { stores, users, userStores } from './schema.js';
import { hashPassword } from './secrets.js';
import { clampLimit, pageOf } from './paging.js';

export interface StaffMember {
  readonly id: string;
  readonly login: string;
  readonly displayName: string;
  readonly phone: string | null;
  readonly role: Role;
  readonly status: string;
  readonly storeIds: string[];
  readonly merchantId: string | null;
  readonly lockedUntil: Date | null;
  readonly createdAt: Date;
}

export interface NewUserInput {
  readonly login: string;
  readonly displayName: string;
  readonly password: string;
  readonly role: Role;
  readonly phone?: string | undefined;
  readonly storeIds?: readonly string[] | undefined;
}

export function assertPasswordAcceptable(password: string): void {
  const problems = passwordProblems(password);
  if (problems.length) {
    throw platformErrors.make('password_too_weak', `password needs ${problems.join(', ')}`, {
      fields: problems.map((p) => ({ field: 'password', message: p })),
    });
  }
}

async function loginTaken(tx: Db, login: string): Promise<boolean> {
  const [row] = await tx.select({ id: users.id }).from(users).where(sql`lower(${users.login}) = lower(${login})`);
  return Boolean(row);
}

/** Creates any user without access checks: for the CLI and the demo seed, which act as the owner of the machine. */
export async function insertUser(
  tx: Db,
  input: NewUserInput & { operatorId: string; merchantId?: string | null; agentId?: string | null },
): Promise<string> {
  assertPasswordAcceptable(input.password);
  if (await loginTaken(tx, input.login)) throw platformErrors.make('login_taken');
  const id = newId('user');
  await tx.insert(users).values({
    id,
    operatorId: input.operatorId,
    merchantId: input.merchantId ?? null,
    agentId: input.agentId ?? null,
    role: input.role,
    login: input.login,
    displayName: input.displayName,
    phone: input.phone ?? null,
    passwordHash: await hashPassword(input.password),
  });
  if (input.merchantId && input.storeIds?.length) {
    await tx.insert(userStores).values(input.storeIds.map((storeId) => ({ merchantId: input.merchantId!, userId: id, storeId })));
  }
  return id;
}

async function assertStoresAssignable(tx: Db, ctx: AccessContext, merchantId: string, storeIds: readonly string[]): Promise<void> {
  if (!storeIds.length) return;
  const found = await tx
    .select({ id: stores.id })
    .from(stores)
    .where(and(eq(stores.merchantId, merchantId), inArray(stores.id, [...storeIds])));
  const known = new Set(found.map((s) => s.id));
  for (const storeId of storeIds) {
    // Another merchant's store and a store outside the actor's own scope look the same: not found.
    if (!known.has(storeId) || (ctx.storeScope !== 'all' && !ctx.storeScope.includes(storeId))) {
      throw platformErrors.make('store_not_found', `store ${storeId} not found`);
    }
  }
}

export async function createStaff(db: Db, ctx: AccessContext, input: NewUserInput): Promise<StaffMember> {
  authorize(ctx, 'staff.write');
  const merchantId = requireMerchantId(ctx);
  if (!isMerchantRole(input.role) || !ctx.actor.role || !canAssignRole(ctx.actor.role, input.role)) {
    if (ctx.actor.kind !== 'api_key' || !isMerchantRole(input.role) || input.role === 'merchant_owner') {
      throw platformErrors.make('role_not_assignable', `cannot assign role ${input.role}`);
    }
  }
  const storeIds = [...new Set(input.storeIds ?? [])];
  if (isStoreScoped(input.role) && storeIds.length === 0) throw platformErrors.make('stores_required');
  return db.transaction(async (tx) => {
    await assertStoresAssignable(tx, ctx, merchantId, storeIds);
    const id = await insertUser(tx, { ...input, storeIds: isStoreScoped(input.role) ? storeIds : [], operatorId: ctx.operatorId, merchantId });
    const { password: _secret, ...summary } = input;
    await appendAudit(tx, ctx, { action: 'staff.create', targetType: 'user', targetId: id, after: summary });
    return getStaff(tx, ctx, id);
  });
}

async function storeIdsOf(db: Db, merchantId: string, userIds: string[]): Promise<Map<string, string[]>> {
  const map = new Map<string, string[]>();
  if (!userIds.length) return map;
  const rows = await db
    .select()
    .from(userStores)
    .where(and(eq(userStores.merchantId, merchantId), inArray(userStores.userId, userIds)));
  for (const row of rows) map.set(row.userId, [...(map.get(row.userId) ?? []), row.storeId]);
  return map;
}

function toStaff(row: typeof users.$inferSelect, storeIds: string[]): StaffMember {
  return {
    id: row.id,
    login: row.login,
    displayName: row.displayName,
    phone: row.phone,
    role: row.role as Role,
    status: row.status,
    storeIds: storeIds.sort(),
    merchantId: row.merchantId,
    lockedUntil: row.lockedUntil,
    createdAt: row.createdAt,
  };
}

/** Store managers see staff who share at least one of their stores. */
function visibleTo(ctx: AccessContext, member: StaffMember): boolean {
  if (ctx.storeScope === 'all') return true;
  return member.storeIds.some((s) => ctx.storeScope !== 'all' && ctx.storeScope.includes(s));
}

export async function listStaff(db: Db, ctx: AccessContext, opts: { after?: string | undefined; limit?: number | undefined; storeId?: string | undefined }) {
  authorize(ctx, 'staff.read');
  const merchantId = requireMerchantId(ctx);
  const limit = clampLimit(opts.limit);
  const conditions: SQL[] = [eq(users.merchantId, merchantId)];
  if (opts.after) conditions.push(gt(users.id, opts.after));
  if (opts.storeId) {
    conditions.push(
      inArray(
        users.id,
        db.select({ id: userStores.userId }).from(userStores).where(and(eq(userStores.merchantId, merchantId), eq(userStores.storeId, opts.storeId))),
      ),
    );
  }
  // Store-scoped readers filter after the fetch; fetch generously so a page is rarely short.
  const rows = await db.select().from(users).where(and(...conditions)).orderBy(asc(users.id)).limit(limit + 1);
  const storeMap = await storeIdsOf(db, merchantId, rows.map((r) => r.id));
  const members = rows.map((r) => toStaff(r, storeMap.get(r.id) ?? []));
  const page = pageOf(members, limit);
  return { items: page.items.filter((m) => visibleTo(ctx, m)), nextCursor: page.nextCursor };
}

export async function getStaff(db: Db, ctx: AccessContext, userId: string): Promise<StaffMember> {
  authorize(ctx, 'staff.read');
  const merchantId = requireMerchantId(ctx);
  const [row] = await db.select().from(users).where(and(eq(users.merchantId, merchantId), eq(users.id, userId)));
  if (!row) throw platformErrors.make('user_not_found');
  const member = toStaff(row, (await storeIdsOf(db, merchantId, [row.id])).get(row.id) ?? []);
  if (!visibleTo(ctx, member)) throw platformErrors.make('user_not_found');
  return member;
}

export interface StaffPatch {
  readonly displayName?: string | undefined;
  readonly phone?: string | null | undefined;
  readonly role?: Role | undefined;
  readonly storeIds?: readonly string[] | undefined;
  readonly status?: 'active' | 'disabled' | undefined;
  /** Clears a login lockout. */
  readonly unlock?: boolean | undefined;
  readonly password?: string | undefined;
}

export async function updateStaff(db: Db, ctx: AccessContext, userId: string, patch: StaffPatch): Promise<StaffMember> {
  authorize(ctx, 'staff.write');
  const merchantId = requireMerchantId(ctx);
  return db.transaction(async (tx) => {
    const before = await getStaff(tx, ctx, userId);
    const actorRole = ctx.actor.role;
    // Changing a user means being allowed to assign both their current and their new role.
    const mayManage = (role: Role) => (actorRole ? canAssignRole(actorRole, role) : ctx.actor.kind === 'api_key' && role !== 'merchant_owner');
    if (!mayManage(before.role) || (patch.role && (!isMerchantRole(patch.role) || !mayManage(patch.role)))) {
      throw platformErrors.make('role_not_assignable');
    }
    if (ctx.actor.id === userId && (patch.status === 'disabled' || (patch.role && patch.role !== before.role))) {
      throw platformErrors.make('cannot_change_self');
    }
    const role = patch.role ?? before.role;
    const storeIds = patch.storeIds ? [...new Set(patch.storeIds)] : before.storeIds;
    if (isStoreScoped(role) && storeIds.length === 0) throw platformErrors.make('stores_required');
    if (patch.storeIds) await assertStoresAssignable(tx, ctx, merchantId, storeIds);
    if (patch.password !== undefined) assertPasswordAcceptable(patch.password);
    await tx
      .update(users)
      .set({
        ...(patch.displayName !== undefined && { displayName: patch.displayName }),
        ...(patch.phone !== undefined && { phone: patch.phone }),
        ...(patch.role !== undefined && { role: patch.role }),
        ...(patch.status !== undefined && { status: patch.status }),
        ...(patch.unlock && { failedLogins: 0, lockedUntil: null }),
        ...(patch.password !== undefined && { passwordHash: await hashPassword(patch.password), passwordChangedAt: new Date() }),
        updatedAt: new Date(),
      })
      .where(and(eq(users.merchantId, merchantId), eq(users.id, userId)));
    if (patch.storeIds || (patch.role && !isStoreScoped(patch.role))) {
      await tx.delete(userStores).where(and(eq(userStores.merchantId, merchantId), eq(userStores.userId, userId)));
      if (isStoreScoped(role) && storeIds.length) {
        await tx.insert(userStores).values(storeIds.map((storeId) => ({ merchantId, userId, storeId })));
      }
    }
    if (patch.status === 'disabled' || patch.password !== undefined) {
      await revokeSessionsOfUser(tx, userId);
    }
    const { password, ...summary } = patch;
    await appendAudit(tx, ctx, {
      action: 'staff.update',
      targetType: 'user',
      targetId: userId,
      before: { role: before.role, status: before.status, storeIds: before.storeIds, displayName: before.displayName },
      after: { ...summary, ...(password !== undefined && { password: 'changed' }) },
    });
    return getStaff(tx, ctx, userId);
  });
}
