import { and, desc, eq, isNull } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { newId } from '../../kernel/ids.js';
import type { AccessContext } from './access.js';
import { appendAudit } from './audit.js';
import { formatApiKeyToken } from './auth.js';
import { platformErrors } from './errors.js';
import { authorize, merchantScopes, operatorScopes } from './policy.js';
import { apiKeys } from './schema.js';
import { randomToken, sha256Hex } from './secrets.js';

export interface ApiKeyView {
  readonly id: string;
  readonly name: string;
  readonly scopes: string[];
  readonly kind: 'merchant' | 'operator';
  readonly createdAt: Date;
  readonly lastUsedAt: Date | null;
  readonly revokedAt: Date | null;
}

function toView(row: typeof apiKeys.$inferSelect): ApiKeyView {
  return {
    id: row.id,
    name: row.name,
    scopes: row.scopes,
    kind: row.merchantId ? 'merchant' : 'operator',
    createdAt: row.createdAt,
    lastUsedAt: row.lastUsedAt,
    revokedAt: row.revokedAt,
  };
}

function actionFor(ctx: AccessContext, mode: 'read' | 'write'): string {
  return ctx.merchantId ? `api_keys.${mode}` : `operator.api_keys.${mode}`;
}

function grantableScopes(ctx: AccessContext): readonly string[] {
  return ctx.merchantId ? [...merchantScopes, '*'] : [...operatorScopes, '*'];
}

/** Inserts a key without access checks, for the CLI and the demo seed. Returns the secret once. */
export async function insertApiKey(
  tx: Db,
  input: { operatorId: string; merchantId: string | null; name: string; scopes: readonly string[]; createdBy: string | null },
): Promise<{ key: ApiKeyView; secret: string }> {
  const id = newId('apiKey');
  const secret = randomToken();
  const [row] = await tx
    .insert(apiKeys)
    .values({ id, operatorId: input.operatorId, merchantId: input.merchantId, name: input.name, scopes: [...input.scopes], secretHash: sha256Hex(secret), createdBy: input.createdBy })
    .returning();
  return { key: toView(row!), secret: formatApiKeyToken(id, secret) };
}

export async function createApiKey(db: Db, ctx: AccessContext, input: { name: string; scopes: readonly string[] }) {
  authorize(ctx, actionFor(ctx, 'write'));
  const allowed = grantableScopes(ctx);
  const refused = input.scopes.filter((s) => !allowed.includes(s));
  if (refused.length || input.scopes.length === 0) {
    throw platformErrors.make('scope_not_grantable', refused.length ? `cannot grant: ${refused.join(', ')}` : 'at least one scope is needed', {
      grantable: allowed,
    });
  }
  return db.transaction(async (tx) => {
    const created = await insertApiKey(tx, { operatorId: ctx.operatorId, merchantId: ctx.merchantId, name: input.name, scopes: [...new Set(input.scopes)], createdBy: ctx.actor.id });
    await appendAudit(tx, ctx, { action: 'api_key.create', targetType: 'api_key', targetId: created.key.id, after: { name: input.name, scopes: created.key.scopes } });
    return created;
  });
}

function ownKeys(ctx: AccessContext) {
  return and(eq(apiKeys.operatorId, ctx.operatorId), ctx.merchantId ? eq(apiKeys.merchantId, ctx.merchantId) : isNull(apiKeys.merchantId));
}

export async function listApiKeys(db: Db, ctx: AccessContext): Promise<ApiKeyView[]> {
  authorize(ctx, actionFor(ctx, 'read'));
  const rows = await db.select().from(apiKeys).where(ownKeys(ctx)).orderBy(desc(apiKeys.id));
  return rows.map(toView);
}

export async function revokeApiKey(db: Db, ctx: AccessContext, keyId: string): Promise<ApiKeyView> {
  authorize(ctx, actionFor(ctx, 'write'));
  return db.transaction(async (tx) => {
    const [row] = await tx.select().from(apiKeys).where(and(ownKeys(ctx), eq(apiKeys.id, keyId))).for('update');
    if (!row) throw platformErrors.make('api_key_not_found');
    if (row.revokedAt) throw platformErrors.make('api_key_revoked');
    const [after] = await tx.update(apiKeys).set({ revokedAt: new Date() }).where(eq(apiKeys.id, keyId)).returning();
    await appendAudit(tx, ctx, { action: 'api_key.revoke', targetType: 'api_key', targetId: keyId, before: { name: row.name } });
    return toView(after!);
  });
}
