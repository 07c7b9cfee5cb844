import { Type, type TString } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { accessOf, errors, iso, NoBody, Nullable, Page, PageQuery, StrictObject, Timestamp, type ModuleDeps } from '../../http/route-kit.js';
import * as apiKeyService from './api-keys.js';
import * as audit from './audit.js';
import * as auth from './auth.js';
import { claimIdempotencyKey, completeIdempotencyKey, releaseIdempotencyKey } from './idempotency.js';
import { merchantScopes, operatorScopes } from './policy.js';
import { merchantRoles, roles } from './roles.js';
import * as staff from './staff.js';
import * as tenancy from './tenancy.js';
import { webhookRoutes } from './webhook-routes.js';

const sessionCookie = 'mp_session';

const Login = Type.String({ minLength: 3, maxLength: 64, pattern: '^[A-Za-z0-9_.@+-]+$' });
const Name = Type.String({ minLength: 1, maxLength: 100 });
const Phone = Type.String({ minLength: 5, maxLength: 20, pattern: '^[0-9+ -]+$' });
const Password = Type.String({ minLength: 1, maxLength: 200 });
const RoleSchema = Type.Union(roles.map((r) => Type.Literal(r)));
const MerchantRoleSchema = Type.Union(merchantRoles.map((r) => Type.Literal(r)));

const MeView = Type.Object({
  kind: Type.String(),
  id: Type.String(),
  label: Type.String(),
  login: Type.Optional(Type.String()),
  role: Nullable(Type.String()),
  operator_id: Type.String(),
  agent_id: Type.Optional(Nullable(Type.String())),
  merchant_id: Nullable(Type.String()),
  merchant_name: Type.Optional(Nullable(Type.String())),
  store_ids: Type.Optional(Nullable(Type.Array(Type.String()))),
  scopes: Type.Array(Type.String()),
});

const AgentView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  contact_name: Nullable(Type.String()),
  contact_phone: Nullable(Type.String()),
  share_bps: Type.Integer(),
  status: Type.String(),
  created_at: Timestamp,
});
const MerchantView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  legal_name: Nullable(Type.String()),
  agent_id: Nullable(Type.String()),
  timezone: Type.String(),
  status: Type.String(),
  created_at: Timestamp,
  owner_id: Type.Optional(Nullable(Type.String())),
});
const StoreView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  address: Nullable(Type.String()),
  phone: Nullable(Type.String()),
  status: Type.String(),
  created_at: Timestamp,
});
const StaffView = Type.Object({
  id: Type.String(),
  login: Type.String(),
  display_name: Type.String(),
  phone: Nullable(Type.String()),
  role: Type.String(),
  status: Type.String(),
  store_ids: Type.Array(Type.String()),
  locked_until: Nullable(Timestamp),
  created_at: Timestamp,
});
const ApiKeyView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  kind: Type.String(),
  scopes: Type.Array(Type.String()),
  created_at: Timestamp,
  last_used_at: Nullable(Timestamp),
  revoked_at: Nullable(Timestamp),
});
const AuditView = Type.Object({
  seq: Type.Integer(),
  id: Type.String(),
  occurred_at: Type.String(),
  actor_kind: Type.String(),
  actor_id: Type.String(),
  actor_label: Type.String(),
  action: Type.String(),
  target_type: Type.String(),
  target_id: Type.String(),
  before: Type.Unknown(),
  after: Type.Unknown(),
  request_id: Nullable(Type.String()),
  hash: Type.String(),
  prev_hash: Type.String(),
});
const ChainBreakView = Type.Object({ kind: Type.String(), seq: Type.Integer(), id: Type.Optional(Type.String()) });
const VerificationView = Type.Object({ chain_id: Type.String(), entries: Type.Integer(), ok: Type.Boolean(), first_break: Nullable(ChainBreakView) });

const agentView = (a: tenancy.Agent) => ({
  id: a.id,
  name: a.name,
  contact_name: a.contactName,
  contact_phone: a.contactPhone,
  share_bps: a.shareBps,
  status: a.status,
  created_at: a.createdAt.toISOString(),
});
const merchantView = (m: tenancy.Merchant & { ownerId?: string | null }) => ({
  id: m.id,
  name: m.name,
  legal_name: m.legalName,
  agent_id: m.agentId,
  timezone: m.timezone,
  status: m.status,
  created_at: m.createdAt.toISOString(),
  ...(m.ownerId !== undefined && { owner_id: m.ownerId }),
});
const storeView = (s: tenancy.Store) => ({ id: s.id, name: s.name, address: s.address, phone: s.phone, status: s.status, created_at: s.createdAt.toISOString() });
const staffView = (u: staff.StaffMember) => ({
  id: u.id,
  login: u.login,
  display_name: u.displayName,
  phone: u.phone,
  role: u.role,
  status: u.status,
  store_ids: u.storeIds,
  locked_until: iso(u.lockedUntil),
  created_at: u.createdAt.toISOString(),
});
const apiKeyView = (k: apiKeyService.ApiKeyView) => ({
  id: k.id,
  name: k.name,
  kind: k.kind,
  scopes: k.scopes,
  created_at: k.createdAt.toISOString(),
  last_used_at: iso(k.lastUsedAt),
  revoked_at: iso(k.revokedAt),
});
const verificationView = (v: audit.ChainVerification) => ({ chain_id: v.chainId, entries: v.entries, ok: v.ok, first_break: v.firstBreak });
const meView = (m: Awaited<ReturnType<typeof auth.describeUser>>) => ({
  kind: m.kind,
  id: m.id,
  label: m.label,
  ...('login' in m && m.login !== undefined && { login: m.login }),
  role: m.role,
  operator_id: m.operatorId,
  merchant_id: m.merchantId,
  ...('agentId' in m && { agent_id: m.agentId }),
  ...('merchantName' in m && { merchant_name: m.merchantName }),
  ...('storeIds' in m && { store_ids: m.storeIds }),
  scopes: [...(m.scopes ?? [])],
});

function idParam<K extends string>(name: K, prefix: string) {
  const properties = { [name]: Type.String({ pattern: `^${prefix}_[0-9a-z]{26}$`, description: `${prefix}_… id` }) } as Record<K, TString>;
  return StrictObject(properties);
}

export async function platformRoutes(instance: FastifyInstance, { db, config }: ModuleDeps): Promise<void> {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const loginPolicy = { maxFailures: config.LOGIN_MAX_FAILURES, lockMinutes: config.LOGIN_LOCK_MINUTES, sessionTtlHours: config.SESSION_TTL_HOURS };
  const secureCookie = config.publicUrl.startsWith('https://');

  // ---- console sessions ----
  app.post(
    '/auth/login',
    {
      config: { public: true, rateLimit: { max: 20, timeWindow: '1 minute' } },
      schema: {
        tags: ['auth'],
        summary: 'Log in to the console (sets an httpOnly session cookie)',
        body: StrictObject({ login: Type.String({ minLength: 1, maxLength: 64 }), password: Password }),
        response: { 200: MeView, ...errors(423, 429) },
      },
    },
    async (request, reply) => {
      const result = await auth.login(db, loginPolicy, { ...request.body, ip: request.ip, userAgent: request.headers['user-agent'] });
      reply.setCookie(sessionCookie, result.sessionToken, {
        path: '/',
        httpOnly: true,
        sameSite: 'lax',
        secure: secureCookie,
        expires: result.expiresAt,
      });
      const ctx = await auth.contextForUserId(db, result.userId, request.id);
      return meView(await auth.describeUser(db, ctx!));
    },
  );

  app.post(
    '/auth/logout',
    { config: { public: true }, schema: { tags: ['auth'], summary: 'Log out (ends the session)', body: NoBody, response: { 204: Type.Null() } } },
    async (request, reply) => {
      const token = request.cookies[sessionCookie];
      if (token) await auth.logout(db, token);
      reply.clearCookie(sessionCookie, { path: '/' });
      return reply.status(204).send(null);
    },
  );

  app.get('/auth/me', { schema: { tags: ['auth'], summary: 'Who am I', response: { 200: MeView, ...errors() } } }, async (request) =>
    meView(await auth.describeUser(db, accessOf(request))),
  );

  app.post(
    '/auth/password',
    {
      schema: {
        tags: ['auth'],
        summary: 'Change my password (ends my other sessions)',
        body: StrictObject({ current_password: Password, new_password: Password }),
        response: { 204: Type.Null(), ...errors() },
      },
    },
    async (request, reply) => {
      await auth.changePassword(db, accessOf(request), {
        currentPassword: request.body.current_password,
        newPassword: request.body.new_password,
        keepSessionToken: request.cookies[sessionCookie],
      });
      return reply.status(204).send(null);
    },
  );

  app.get('/roles', { schema: { tags: ['staff'], summary: 'Roles and the scopes API keys can carry', response: { 200: Type.Object({ roles: Type.Array(Type.String()), merchant_roles: Type.Array(Type.String()), merchant_scopes: Type.Array(Type.String()), operator_scopes: Type.Array(Type.String()) }), ...errors() } } }, async () => ({
    roles: [...roles],
    merchant_roles: [...merchantRoles],
    merchant_scopes: [...merchantScopes],
    operator_scopes: [...operatorScopes],
  }));

  // ---- operator: agents and merchants ----
  const AgentBody = { name: Name, contact_name: Type.Optional(Name), contact_phone: Type.Optional(Phone), share_bps: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000, description: 'agent share of the fee margin, basis points' })) };
  const agentInput = (b: { name?: string; contact_name?: string; contact_phone?: string; share_bps?: number }) => ({
    ...(b.name !== undefined && { name: b.name }),
    ...(b.contact_name !== undefined && { contactName: b.contact_name }),
    ...(b.contact_phone !== undefined && { contactPhone: b.contact_phone }),
    ...(b.share_bps !== undefined && { shareBps: b.share_bps }),
  });

  app.get('/agents', { schema: { tags: ['operator'], summary: 'List agents (代理商)', querystring: StrictObject(PageQuery), response: { 200: Page(AgentView), ...errors() } } }, async (request) => {
    const page = await tenancy.listAgents(db, accessOf(request), request.query);
    return { items: page.items.map(agentView), next_cursor: page.nextCursor };
  });
  app.post('/agents', { schema: { tags: ['operator'], summary: 'Create an agent', body: StrictObject(AgentBody), response: { 201: AgentView, ...errors() } } }, async (request, reply) => {
    const agent = await tenancy.createAgent(db, accessOf(request), { name: request.body.name, ...agentInput(request.body) });
    return reply.status(201).send(agentView(agent));
  });
  app.get('/agents/:agentId', { schema: { tags: ['operator'], summary: 'Get an agent', params: idParam('agentId', 'agt'), response: { 200: AgentView, ...errors() } } }, async (request) =>
    agentView(await tenancy.getAgent(db, accessOf(request), request.params.agentId)),
  );
  app.patch(
    '/agents/:agentId',
    {
      schema: {
        tags: ['operator'],
        summary: 'Update an agent',
        params: idParam('agentId', 'agt'),
        body: StrictObject({ name: Type.Optional(Name), contact_name: Type.Optional(Name), contact_phone: Type.Optional(Phone), share_bps: AgentBody.share_bps, status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('disabled')])) }, { minProperties: 1 }),
        response: { 200: AgentView, ...errors() },
      },
    },
    async (request) => {
      const { status, ...rest } = request.body;
      return agentView(await tenancy.updateAgent(db, accessOf(request), request.params.agentId, { ...agentInput(rest), ...(status && { status }) }));
    },
  );

  app.get(
    '/merchants',
    { schema: { tags: ['operator'], summary: 'List merchants', querystring: StrictObject({ ...PageQuery, agent_id: Type.Optional(Type.String({ maxLength: 64 })) }), response: { 200: Page(MerchantView), ...errors() } } },
    async (request) => {
      const page = await tenancy.listMerchants(db, accessOf(request), { after: request.query.after, limit: request.query.limit, agentId: request.query.agent_id });
      return { items: page.items.map(merchantView), next_cursor: page.nextCursor };
    },
  );
  app.post(
    '/merchants',
    {
      schema: {
        tags: ['operator'],
        summary: 'Onboard a merchant, optionally with its owner account',
        body: StrictObject({
          name: Name,
          legal_name: Type.Optional(Name),
          agent_id: Type.Optional(Type.String({ maxLength: 64 })),
          timezone: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
          owner: Type.Optional(StrictObject({ login: Login, display_name: Name, password: Password, phone: Type.Optional(Phone) })),
        }),
        response: { 201: MerchantView, ...errors(409) },
      },
    },
    async (request, reply) => {
      const { owner, ...b } = request.body;
      const merchant = await tenancy.createMerchant(
        db,
        accessOf(request),
        { name: b.name, legalName: b.legal_name, agentId: b.agent_id, timezone: b.timezone },
        owner && { login: owner.login, displayName: owner.display_name, password: owner.password, phone: owner.phone },
      );
      return reply.status(201).send(merchantView(merchant));
    },
  );
  app.get('/merchants/:merchantId', { schema: { tags: ['operator'], summary: 'Get a merchant', params: idParam('merchantId', 'mch'), response: { 200: MerchantView, ...errors() } } }, async (request) =>
    merchantView(await tenancy.getMerchant(db, accessOf(request), request.params.merchantId)),
  );
  app.patch(
    '/merchants/:merchantId',
    {
      schema: {
        tags: ['operator'],
        summary: 'Update or suspend a merchant',
        params: idParam('merchantId', 'mch'),
        body: StrictObject({ name: Type.Optional(Name), legal_name: Type.Optional(Name), agent_id: Type.Optional(Nullable(Type.String({ maxLength: 64 }))), status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('suspended')])) }, { minProperties: 1 }),
        response: { 200: MerchantView, ...errors() },
      },
    },
    async (request) => {
      const b = request.body;
      return merchantView(
        await tenancy.updateMerchant(db, accessOf(request), request.params.merchantId, {
          ...(b.name !== undefined && { name: b.name }),
          ...(b.legal_name !== undefined && { legalName: b.legal_name }),
          ...(b.agent_id !== undefined && { agentId: b.agent_id }),
          ...(b.status !== undefined && { status: b.status }),
        }),
      );
    },
  );

  // ---- merchant: own profile, stores, staff ----
  app.get('/merchant', { schema: { tags: ['merchant'], summary: 'My merchant', response: { 200: MerchantView, ...errors() } } }, async (request) => {
    const ctx = accessOf(request);
    return merchantView(await tenancy.getMerchant(db, ctx, ctx.merchantId ?? ''));
  });

  const StoreBody = { name: Name, address: Type.Optional(Type.String({ maxLength: 300 })), phone: Type.Optional(Phone) };
  app.get('/stores', { schema: { tags: ['stores'], summary: 'List stores', querystring: StrictObject(PageQuery), response: { 200: Page(StoreView), ...errors() } } }, async (request) => {
    const page = await tenancy.listStores(db, accessOf(request), request.query);
    return { items: page.items.map(storeView), next_cursor: page.nextCursor };
  });
  app.post('/stores', { schema: { tags: ['stores'], summary: 'Create a store', body: StrictObject(StoreBody), response: { 201: StoreView, ...errors() } } }, async (request, reply) =>
    reply.status(201).send(storeView(await tenancy.createStore(db, accessOf(request), request.body))),
  );
  app.get('/stores/:storeId', { schema: { tags: ['stores'], summary: 'Get a store', params: idParam('storeId', 'sto'), response: { 200: StoreView, ...errors() } } }, async (request) =>
    storeView(await tenancy.getStore(db, accessOf(request), request.params.storeId)),
  );
  app.patch(
    '/stores/:storeId',
    {
      schema: {
        tags: ['stores'],
        summary: 'Update or close a store',
        params: idParam('storeId', 'sto'),
        body: StrictObject({ name: Type.Optional(Name), address: StoreBody.address, phone: StoreBody.phone, status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('closed')])) }, { minProperties: 1 }),
        response: { 200: StoreView, ...errors() },
      },
    },
    async (request) => storeView(await tenancy.updateStore(db, accessOf(request), request.params.storeId, request.body)),
  );

  app.get(
    '/staff',
    { schema: { tags: ['staff'], summary: 'List staff', querystring: StrictObject({ ...PageQuery, store_id: Type.Optional(Type.String({ maxLength: 64 })) }), response: { 200: Page(StaffView), ...errors() } } },
    async (request) => {
      const page = await staff.listStaff(db, accessOf(request), { after: request.query.after, limit: request.query.limit, storeId: request.query.store_id });
      return { items: page.items.map(staffView), next_cursor: page.nextCursor };
    },
  );
  app.post(
    '/staff',
    {
      schema: {
        tags: ['staff'],
        summary: 'Create a staff account',
        body: StrictObject({ login: Login, display_name: Name, password: Password, role: MerchantRoleSchema, phone: Type.Optional(Phone), store_ids: Type.Optional(Type.Array(Type.String({ maxLength: 64 }), { maxItems: 200 })) }),
        response: { 201: StaffView, ...errors(409) },
      },
    },
    async (request, reply) => {
      const b = request.body;
      const member = await staff.createStaff(db, accessOf(request), { login: b.login, displayName: b.display_name, password: b.password, role: b.role, phone: b.phone, storeIds: b.store_ids });
      return reply.status(201).send(staffView(member));
    },
  );
  app.get('/staff/:userId', { schema: { tags: ['staff'], summary: 'Get a staff account', params: idParam('userId', 'usr'), response: { 200: StaffView, ...errors() } } }, async (request) =>
    staffView(await staff.getStaff(db, accessOf(request), request.params.userId)),
  );
  app.patch(
    '/staff/:userId',
    {
      schema: {
        tags: ['staff'],
        summary: 'Change role, stores or status; unlock; reset password',
        params: idParam('userId', 'usr'),
        body: StrictObject(
          {
            display_name: Type.Optional(Name),
            phone: Type.Optional(Nullable(Phone)),
            role: Type.Optional(RoleSchema),
            store_ids: Type.Optional(Type.Array(Type.String({ maxLength: 64 }), { maxItems: 200 })),
            status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('disabled')])),
            unlock: Type.Optional(Type.Boolean()),
            password: Type.Optional(Password),
          },
          { minProperties: 1 },
        ),
        response: { 200: StaffView, ...errors(409) },
      },
    },
    async (request) => {
      const b = request.body;
      return staffView(
        await staff.updateStaff(db, accessOf(request), request.params.userId, {
          displayName: b.display_name,
          phone: b.phone,
          role: b.role,
          storeIds: b.store_ids,
          status: b.status,
          unlock: b.unlock,
          password: b.password,
        }),
      );
    },
  );

  // ---- API keys (merchant keys, or the operator's own) ----
  app.get('/api-keys', { schema: { tags: ['api-keys'], summary: 'List API keys', response: { 200: Type.Object({ items: Type.Array(ApiKeyView) }), ...errors() } } }, async (request) => ({
    items: (await apiKeyService.listApiKeys(db, accessOf(request))).map(apiKeyView),
  }));
  app.post(
    '/api-keys',
    {
      schema: {
        tags: ['api-keys'],
        summary: 'Create an API key; the secret is shown once',
        body: StrictObject({ name: Name, scopes: Type.Array(Type.String({ maxLength: 64 }), { minItems: 1, maxItems: 32 }) }),
        response: { 201: Type.Composite([ApiKeyView, Type.Object({ secret: Type.String() })]), ...errors() },
      },
    },
    async (request, reply) => {
      const created = await apiKeyService.createApiKey(db, accessOf(request), request.body);
      return reply.status(201).send({ ...apiKeyView(created.key), secret: created.secret });
    },
  );
  app.post('/api-keys/:keyId/revoke', { schema: { tags: ['api-keys'], summary: 'Revoke an API key', params: idParam('keyId', 'key'), body: NoBody, response: { 200: ApiKeyView, ...errors(409) } } }, async (request) =>
    apiKeyView(await apiKeyService.revokeApiKey(db, accessOf(request), request.params.keyId)),
  );

  // ---- audit ----
  app.get(
    '/audit-log',
    {
      schema: {
        tags: ['audit'],
        summary: 'Browse the audit log (newest first)',
        querystring: StrictObject({
          action: Type.Optional(Type.String({ maxLength: 64 })),
          actor_id: Type.Optional(Type.String({ maxLength: 64 })),
          target_type: Type.Optional(Type.String({ maxLength: 64 })),
          target_id: Type.Optional(Type.String({ maxLength: 64 })),
          from: Type.Optional(Type.String({ format: 'date-time' })),
          to: Type.Optional(Type.String({ format: 'date-time' })),
          before: Type.Optional(Type.Integer({ minimum: 1, description: 'cursor: seq of the last entry of the previous page' })),
          limit: PageQuery.limit,
        }),
        response: { 200: Page(AuditView), ...errors() },
      },
    },
    async (request) => {
      const q = request.query;
      const page = await audit.listAuditEntries(db, accessOf(request), {
        action: q.action,
        actorId: q.actor_id,
        targetType: q.target_type,
        targetId: q.target_id,
        from: q.from ? new Date(q.from) : undefined,
        to: q.to ? new Date(q.to) : undefined,
        before: q.before,
        limit: q.limit,
      });
      return {
        items: page.items.map((e) => ({
          seq: e.seq,
          id: e.id,
          occurred_at: e.occurredAt,
          actor_kind: e.actorKind,
          actor_id: e.actorId,
          actor_label: e.actorLabel,
          action: e.action,
          target_type: e.targetType,
          target_id: e.targetId,
          before: e.before,
          after: e.after,
          request_id: e.requestId,
          hash: e.hash,
          prev_hash: e.prevHash,
        })),
        next_cursor: page.nextCursor,
      };
    },
  );
  app.get('/audit-log/verify', { schema: { tags: ['audit'], summary: 'Verify the hash chain; reports the first broken link', response: { 200: VerificationView, ...errors() } } }, async (request) =>
    verificationView(await audit.verifyAuditChain(db, accessOf(request))),
  );

  await webhookRoutes(instance, { db, config });
}

/** How the app wires the platform in: its routes, plus the auth and idempotency the HTTP layer runs. */
export const platformModule = {
  name: 'platform',
  routes: (app: FastifyInstance, deps: ModuleDeps) => platformRoutes(app, deps),
  auth: { authenticateApiKey: auth.authenticateApiKey, authenticateSession: auth.authenticateSession },
  idempotency: { claim: claimIdempotencyKey, complete: completeIdempotencyKey, release: releaseIdempotencyKey },
};
