import { and, eq, gt, lt, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { newId } from '../../kernel/ids.js';
import type { AccessContext } from './access.js';
import { appendAudit } from './audit.js';
import { platformErrors } from './errors.js';
import { isStoreScoped, type Role } from './roles.js';
import { apiKeys, merchants, sessions, users, userStores } from './schema.js';
import { decoyPasswordHash, hashPassword, randomToken, sameHash, sha256Hex, verifyPassword } from './secrets.js';
import { assertPasswordAcceptable } from './staff.js';

export interface LoginPolicy {
  readonly maxFailures: number;
  readonly lockMinutes: number;
  readonly sessionTtlHours: number;
}

export interface LoginResult {
  readonly sessionToken: string;
  readonly expiresAt: Date;
  readonly userId: string;
}

// Busy rows are touched at most once a minute: last-seen is for people, not for accounting.
const touchIntervalMs = 60_000;

export async function login(
  db: Db,
  policy: LoginPolicy,
  input: { login: string; password: string; ip?: string | undefined; userAgent?: string | undefined },
): Promise<LoginResult> {
  const [user] = await db.select().from(users).where(sql`lower(${users.login}) = lower(${input.login})`);
  if (!user) {
    await verifyPassword(await decoyPasswordHash(), input.password);
    throw platformErrors.make('invalid_credentials');
  }
  const now = new Date();
  if (user.lockedUntil && user.lockedUntil > now) {
    throw platformErrors.make('account_locked', `try again after ${user.lockedUntil.toISOString()}`, { lockedUntil: user.lockedUntil.toISOString() });
  }
  const ok = await verifyPassword(user.passwordHash, input.password);
  if (!ok) {
    // Count and lock in one statement so parallel guesses cannot slip past the limit.
    const [after] = await db
      .update(users)
      .set({
        failedLogins: sql`${users.failedLogins} + 1`,
        lockedUntil: sql`case when ${users.failedLogins} + 1 >= ${policy.maxFailures} then now() + make_interval(mins => ${policy.lockMinutes}) else ${users.lockedUntil} end`,
      })
      .where(eq(users.id, user.id))
      .returning({ failedLogins: users.failedLogins, lockedUntil: users.lockedUntil });
    if (after && after.failedLogins >= policy.maxFailures) {
      await db.transaction((tx) =>
        appendAudit(tx, contextOfUser(user, []), { action: 'auth.lockout', targetType: 'user', targetId: user.id, after: { failedLogins: after.failedLogins } }),
      );
    }
    throw platformErrors.make('invalid_credentials');
  }
  if (user.status !== 'active') throw platformErrors.make('account_disabled');
  if (user.merchantId) {
    const [merchant] = await db.select({ status: merchants.status }).from(merchants).where(eq(merchants.id, user.merchantId));
    if (merchant?.status !== 'active') throw platformErrors.make('account_disabled', 'merchant is suspended');
  }
  const sessionToken = randomToken();
  const expiresAt = new Date(now.getTime() + policy.sessionTtlHours * 3_600_000);
  await db.transaction(async (tx) => {
    await tx.update(users).set({ failedLogins: 0, lockedUntil: null }).where(eq(users.id, user.id));
    await tx.insert(sessions).values({
      tokenHash: sha256Hex(sessionToken),
      id: newId('session'),
      userId: user.id,
      expiresAt,
      ip: input.ip ?? null,
      userAgent: input.userAgent?.slice(0, 300) ?? null,
    });
    await tx.delete(sessions).where(lt(sessions.expiresAt, now));
    await appendAudit(tx, contextOfUser(user, []), { action: 'auth.login', targetType: 'user', targetId: user.id, after: { ip: input.ip ?? null } });
  });
  return { sessionToken, expiresAt, userId: user.id };
}

export async function logout(db: Db, sessionToken: string): Promise<void> {
  await db.delete(sessions).where(eq(sessions.tokenHash, sha256Hex(sessionToken)));
}

export async function revokeSessionsOfUser(db: Db, userId: string): Promise<void> {
  await db.delete(sessions).where(eq(sessions.userId, userId));
}

type UserRow = typeof users.$inferSelect;

function contextOfUser(user: UserRow, storeIds: string[], requestId?: string): AccessContext {
  const role = user.role as Role;
  return {
    actor: { kind: 'user', id: user.id, label: user.login, role, scopes: null },
    operatorId: user.operatorId,
    agentId: user.agentId,
    merchantId: user.merchantId,
    storeScope: isStoreScoped(role) ? storeIds : 'all',
    purpose: 'console',
    ...(requestId && { requestId }),
  };
}

export async function contextForUserId(db: Db, userId: string, requestId?: string): Promise<AccessContext | null> {
  const [user] = await db.select().from(users).where(eq(users.id, userId));
  if (!user || user.status !== 'active') return null;
  const storeIds = user.merchantId
    ? (await db.select({ storeId: userStores.storeId }).from(userStores).where(and(eq(userStores.merchantId, user.merchantId), eq(userStores.userId, user.id)))).map((r) => r.storeId)
    : [];
  return contextOfUser(user, storeIds, requestId);
}

/** Resolves a session cookie to an access context, or null when it is unknown, expired or disabled. */
export async function authenticateSession(db: Db, sessionToken: string, requestId?: string): Promise<AccessContext | null> {
  const now = new Date();
  const [session] = await db
    .select()
    .from(sessions)
    .where(and(eq(sessions.tokenHash, sha256Hex(sessionToken)), gt(sessions.expiresAt, now)));
  if (!session) return null;
  const ctx = await contextForUserId(db, session.userId, requestId);
  if (!ctx) return null;
  if (ctx.merchantId && !(await merchantIsActive(db, ctx.merchantId))) return null;
  if (now.getTime() - session.lastSeenAt.getTime() > touchIntervalMs) {
    await db.update(sessions).set({ lastSeenAt: now }).where(eq(sessions.tokenHash, session.tokenHash));
  }
  return ctx;
}

async function merchantIsActive(db: Db, merchantId: string): Promise<boolean> {
  const [merchant] = await db.select({ status: merchants.status }).from(merchants).where(eq(merchants.id, merchantId));
  return merchant?.status === 'active';
}

export const apiKeyTokenPrefix = 'mpk_';

export function formatApiKeyToken(keyId: string, secret: string): string {
  return `${apiKeyTokenPrefix}${keyId}.${secret}`;
}

export function parseApiKeyToken(token: string): { keyId: string; secret: string } | null {
  if (!token.startsWith(apiKeyTokenPrefix)) return null;
  const rest = token.slice(apiKeyTokenPrefix.length);
  const dot = rest.lastIndexOf('.');
  if (dot <= 0) return null;
  return { keyId: rest.slice(0, dot), secret: rest.slice(dot + 1) };
}

/** Resolves a bearer API key to an access context, or null: unknown, wrong secret and revoked look alike. */
export async function authenticateApiKey(db: Db, token: string, requestId?: string): Promise<AccessContext | null> {
  const parsed = parseApiKeyToken(token);
  if (!parsed) return null;
  // One round trip: the key and its merchant's status together (this runs on every API request).
  const [row] = await db
    .select({ key: apiKeys, merchantStatus: merchants.status })
    .from(apiKeys)
    .leftJoin(merchants, eq(merchants.id, apiKeys.merchantId))
    .where(eq(apiKeys.id, parsed.keyId));
  const key = row?.key;
  if (!key || key.revokedAt || !sameHash(key.secretHash, sha256Hex(parsed.secret))) return null;
  if (key.merchantId && row.merchantStatus !== 'active') return null;
  const now = new Date();
  if (!key.lastUsedAt || now.getTime() - key.lastUsedAt.getTime() > touchIntervalMs) {
    await db.update(apiKeys).set({ lastUsedAt: now }).where(eq(apiKeys.id, key.id));
  }
  return {
    actor: { kind: 'api_key', id: key.id, label: key.name, role: null, scopes: key.scopes },
    operatorId: key.operatorId,
    agentId: null,
    merchantId: key.merchantId,
    storeScope: 'all',
    purpose: 'api',
    ...(requestId && { requestId }),
  };
}

export async function describeUser(db: Db, ctx: AccessContext) {
  if (ctx.actor.kind !== 'user') {
    return { kind: ctx.actor.kind, id: ctx.actor.id, label: ctx.actor.label, role: null, merchantId: ctx.merchantId, operatorId: ctx.operatorId, scopes: ctx.actor.scopes ?? [] };
  }
  const [user] = await db.select().from(users).where(eq(users.id, ctx.actor.id));
  const merchant = ctx.merchantId ? (await db.select().from(merchants).where(eq(merchants.id, ctx.merchantId)))[0] : undefined;
  return {
    kind: 'user' as const,
    id: ctx.actor.id,
    label: user?.displayName ?? ctx.actor.label,
    login: user?.login,
    role: ctx.actor.role,
    operatorId: ctx.operatorId,
    agentId: ctx.agentId,
    merchantId: ctx.merchantId,
    merchantName: merchant?.name ?? null,
    storeIds: ctx.storeScope === 'all' ? null : [...ctx.storeScope],
    scopes: [],
  };
}

export async function changePassword(db: Db, ctx: AccessContext, input: { currentPassword: string; newPassword: string; keepSessionToken?: string | undefined }): Promise<void> {
  if (ctx.actor.kind !== 'user') throw platformErrors.make('session_required');
  const [user] = await db.select().from(users).where(eq(users.id, ctx.actor.id));
  if (!user || !(await verifyPassword(user.passwordHash, input.currentPassword))) throw platformErrors.make('password_mismatch');
  assertPasswordAcceptable(input.newPassword);
  const passwordHash = await hashPassword(input.newPassword);
  await db.transaction(async (tx) => {
    await tx.update(users).set({ passwordHash, passwordChangedAt: new Date(), updatedAt: new Date() }).where(eq(users.id, user.id));
    // Every other session of this user ends: a changed password must lock out whoever had the old one.
    const keep = input.keepSessionToken ? sha256Hex(input.keepSessionToken) : '';
    await tx.delete(sessions).where(and(eq(sessions.userId, user.id), sql`${sessions.tokenHash} <> ${keep}`));
    await appendAudit(tx, ctx, { action: 'auth.password_change', targetType: 'user', targetId: user.id });
  });
}
