import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RouteInfo } from '../../src/http/app.js';
import { json, startTestApp } from '../support/app.js';
import { tenantFixtures, type HttpMethod, type TenantFixtureContext } from '../support/tenant-fixtures.js';

// The walk: every authenticated /v1 route in the route table, called as another tenant with
// merchant A's ids, must answer 404 or 403 (400 when the body cannot be satisfied), never 2xx
// and never 5xx, and must leave A exactly as it was. New routes are walked without touching this
// file; a route whose param has no fixture in test/support/tenant-fixtures.ts fails.
// Public routes (login, logout, channel callbacks) carry no tenant credentials: their
// authorisation is a signature or a token, tested by their module.

const t = await startTestApp();
afterAll(() => t.close());

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
interface Schema {
  readonly [key: string]: unknown;
}
interface Parameter {
  readonly name: string;
  readonly in: string;
  readonly required?: boolean;
  readonly schema?: Schema;
}
interface Operation {
  readonly tags?: string[];
  readonly parameters?: Parameter[];
  readonly requestBody?: { content?: Record<string, { schema?: Schema }> };
}
interface OpenApi {
  readonly paths: Record<string, Record<string, Operation>>;
  readonly components?: { schemas?: Record<string, Schema> };
}

const spec = json<OpenApi>(await t.app.inject({ method: 'GET', url: '/openapi.json' }));
const walked = t.app.routeTable.filter((r) => r.url.startsWith('/v1/') && !r.public);

const label = (r: RouteInfo) => `${r.method} ${r.url}`;
const paramsOf = (url: string) => [...url.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => m[1]!);
const operationOf = (r: RouteInfo): Operation => spec.paths[r.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}')]?.[r.method.toLowerCase()] ?? {};
const idPattern = /\b[a-z]{2,5}_[0-9a-z]{26}\b/g;

/** A path or query value as text: scalars as themselves, anything else as JSON. */
const asText = (value: Json): string => (typeof value === 'string' ? value : JSON.stringify(value));

/** A closed set of values (an enum, a union of literals): such a param picks a kind, not a tenant's row. */
function finiteValuesOf(schema: Schema | undefined): Json[] {
  if (!schema) return [];
  const s = resolve(schema);
  if ('const' in s) return [s.const as Json];
  if (Array.isArray(s.enum)) return s.enum as Json[];
  const options = [...asSchemas(s.anyOf), ...asSchemas(s.oneOf)];
  const values = options.map(finiteValuesOf);
  return options.length && values.every((v) => v.length) ? values.flat() : [];
}

/** `store_id` and `store_ids` name a `storeId`; other fields are not ids. */
function fixtureNameOfField(field: string): string | null {
  const match = /^([a-z][a-z0-9_]*)_ids?$/.exec(field);
  if (!match) return null;
  return `${match[1]!.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase())}Id`;
}

const missingFixtureMessage = (what: string, name: string, route: string) =>
  `${route}: no tenant fixture for ${what}. Add "${name}" to tenantFixtures in test/support/tenant-fixtures.ts — ` +
  `a function that creates merchant A's ${name.replace(/Id$/, '')} through the API and returns its id — so the isolation walk can try it with another tenant's credentials.`;

// ---- merchant A's fixtures ----

const ids = new Map<string, Promise<string>>();
let aCookie = '';
let operatorCookie = '';

async function call<T>(cookie: string, who: string, method: HttpMethod, url: string, payload?: object): Promise<T> {
  const response = await t.app.inject({ method, url, headers: { cookie }, ...(payload !== undefined && { payload }) });
  if (response.statusCode >= 300) throw new Error(`fixture call as ${who} ${method} ${url} → ${response.statusCode} ${response.body}`);
  return (response.body ? response.json<T>() : (null as T));
}

const fixtureContext: TenantFixtureContext = {
  t,
  merchantId: t.demo.merchantId,
  asA: (method, url, payload) => call(aCookie, 'A', method, url, payload),
  asOperator: (method, url, payload) => call(operatorCookie, 'the operator', method, url, payload),
  id(param) {
    const fixture = tenantFixtures[param];
    if (!fixture) throw new Error(`fixture "${param}" is not in tenantFixtures`);
    let id = ids.get(param);
    if (!id) {
      id = fixture(fixtureContext);
      ids.set(param, id);
    }
    return id;
  },
};

function aIdFor(param: string): Promise<string> | undefined {
  return tenantFixtures[param] ? fixtureContext.id(param) : undefined;
}

// ---- request bodies and queries from the route's schemas ----

function resolve(schema: Schema): Schema {
  const ref = schema.$ref;
  if (typeof ref !== 'string') return schema;
  const name = ref.split('/').at(-1) ?? '';
  const target = spec.components?.schemas?.[name];
  if (!target) throw new Error(`unresolvable $ref ${ref}`);
  return resolve(target);
}

const asSchema = (value: unknown): Schema => (value && typeof value === 'object' ? (value as Schema) : {});
const asSchemas = (value: unknown): Schema[] => (Array.isArray(value) ? value.map(asSchema) : []);
const typesOf = (s: Schema): string[] => (Array.isArray(s.type) ? s.type.map(String) : typeof s.type === 'string' ? [s.type] : []);
const isNullOnly = (s: Schema) => typesOf(resolve(s)).join() === 'null';

function stringFor(s: Schema, field: string): string {
  const min = typeof s.minLength === 'number' ? s.minLength : 0;
  const max = typeof s.maxLength === 'number' ? s.maxLength : 200;
  if (s.format === 'date-time') return new Date().toISOString();
  if (s.format === 'date') return new Date().toISOString().slice(0, 10);
  if (s.format === 'email') return 'walk@example.com';
  const candidates = [
    ...(/url|uri/.test(field) || s.format === 'uri' ? ['https://example.com/walk'] : []),
    ...(/password/.test(field) ? ['walk-passw0rd-2026'] : []),
    'walk-tenant-b',
    'walk',
    '13800138000',
    'walk.test',
    'walk-passw0rd-2026',
    'https://example.com/walk',
    new Date().toISOString().slice(0, 10),
    new Date().toISOString().slice(0, 7),
    new Date().toISOString(),
    '1',
    'WALK',
    'walk_1',
    'x'.repeat(Math.max(min, 1)),
  ];
  const pattern = typeof s.pattern === 'string' ? new RegExp(s.pattern, 'u') : null;
  const fits = (c: string) => c.length >= min && c.length <= max && (!pattern || pattern.test(c));
  return candidates.find(fits) ?? 'walk'.padEnd(min, 'k').slice(0, max);
}

interface Generated {
  value: Json;
  /** Whether merchant A's ids went into the value. */
  usesAIds: boolean;
}

/** A plausible minimal value: required fields filled, every id-like field set to A's id. */
async function sample(schemaIn: Schema, field: string, route: string): Promise<Generated> {
  const s = resolve(schemaIn);
  if ('const' in s) return { value: s.const as Json, usesAIds: false };
  if (Array.isArray(s.enum) && s.enum.length) return { value: s.enum[0] as Json, usesAIds: false };
  const options = [...asSchemas(s.anyOf), ...asSchemas(s.oneOf)];
  if (options.length) {
    const option = options.find((o) => !isNullOnly(o)) ?? options[0]!;
    return sample(option, field, route);
  }
  if (Array.isArray(s.allOf)) {
    const merged: { [key: string]: Json } = {};
    let usesAIds = false;
    for (const part of asSchemas(s.allOf)) {
      const generated = await sample(part, field, route);
      if (generated.value && typeof generated.value === 'object' && !Array.isArray(generated.value)) Object.assign(merged, generated.value);
      usesAIds ||= generated.usesAIds;
    }
    return { value: merged, usesAIds };
  }
  const type = typesOf(s).find((x) => x !== 'null') ?? (s.properties ? 'object' : 'unknown');
  switch (type) {
    case 'string':
      return { value: stringFor(s, field), usesAIds: false };
    case 'integer':
    case 'number': {
      const min = typeof s.minimum === 'number' ? s.minimum : typeof s.exclusiveMinimum === 'number' ? s.exclusiveMinimum + 1 : 1;
      const max = typeof s.maximum === 'number' ? s.maximum : Number.MAX_SAFE_INTEGER;
      return { value: Math.min(min, max), usesAIds: false };
    }
    case 'boolean':
      return { value: false, usesAIds: false };
    case 'array': {
      const count = Math.max(1, typeof s.minItems === 'number' ? s.minItems : 0);
      const items: Json[] = [];
      let usesAIds = false;
      for (let i = 0; i < count; i++) {
        const generated = await sample(asSchema(s.items), field, route);
        items.push(generated.value);
        usesAIds ||= generated.usesAIds;
      }
      return { value: items, usesAIds };
    }
    case 'object':
      return objectFor(s, route);
    default:
      return { value: {}, usesAIds: false };
  }
}

async function objectFor(s: Schema, route: string): Promise<Generated> {
  const properties = Object.entries(asSchema(s.properties)).map(([name, value]) => [name, asSchema(value)] as const);
  const required = new Set(Array.isArray(s.required) ? s.required.map(String) : []);
  const out: { [key: string]: Json } = {};
  let usesAIds = false;
  for (const [name, property] of properties) {
    const fixture = fixtureNameOfField(name);
    if (fixture) {
      const id = aIdFor(fixture);
      if (id) {
        const resolved = resolve(property);
        const wantsArray = typesOf(resolved).includes('array') || [...asSchemas(resolved.anyOf), ...asSchemas(resolved.oneOf)].some((o) => typesOf(resolve(o)).includes('array'));
        out[name] = wantsArray ? [await id] : await id;
        usesAIds = true;
      } else if (required.has(name)) {
        throw new Error(missingFixtureMessage(`the body field "${name}"`, fixture, route));
      }
      continue;
    }
    if (!required.has(name)) continue;
    const generated = await sample(property, name, route);
    out[name] = generated.value;
    usesAIds ||= generated.usesAIds;
  }
  // PATCH bodies often require "at least one field": add optional ones until there are enough.
  const minProperties = typeof s.minProperties === 'number' ? s.minProperties : 0;
  for (const [name, property] of properties) {
    if (Object.keys(out).length >= minProperties) break;
    if (name in out || fixtureNameOfField(name)) continue;
    out[name] = (await sample(property, name, route)).value;
  }
  return { value: out, usesAIds };
}

interface Request {
  readonly url: string;
  readonly payload?: Json;
  /** A's ids are in the path or the body: the caller must be refused. */
  readonly targetsA: boolean;
  readonly description: string;
}

/** The requests to try for one route: A's ids in the path and body; lists also filtered by A's ids. */
async function requestsFor(route: RouteInfo): Promise<Request[]> {
  const name = label(route);
  const operation = operationOf(route);
  let path = route.url;
  let pathUsesAIds = false;
  for (const param of paramsOf(route.url)) {
    const id = aIdFor(param);
    const choices = finiteValuesOf(operation.parameters?.find((p) => p.in === 'path' && p.name === param)?.schema);
    if (id) {
      path = path.replace(`:${param}`, await id);
      pathUsesAIds = true;
    } else if (choices.length) {
      path = path.replace(`:${param}`, encodeURIComponent(asText(choices[0]!)));
    } else {
      throw new Error(missingFixtureMessage(`the path param ":${param}"`, param, name));
    }
  }
  let payload: Json | undefined;
  let bodyUsesAIds = false;
  if (route.hasBodySchema) {
    const schema = operation.requestBody?.content?.['application/json']?.schema ?? {};
    const generated = await sample(schema, 'body', name);
    payload = generated.value;
    bodyUsesAIds = generated.usesAIds;
  }
  const query = new URLSearchParams();
  const filters = new URLSearchParams();
  for (const parameter of operation.parameters ?? []) {
    if (parameter.in !== 'query') continue;
    const fixture = fixtureNameOfField(parameter.name);
    const id = fixture ? aIdFor(fixture) : undefined;
    if (id) filters.set(parameter.name, await id);
    else if (parameter.required) query.set(parameter.name, asText((await sample(parameter.schema ?? {}, parameter.name, name)).value));
  }
  const targetsA = pathUsesAIds || bodyUsesAIds;
  const withQuery = (q: URLSearchParams) => (q.size ? `${path}?${q.toString()}` : path);
  const requests: Request[] = [{ url: withQuery(query), ...(payload !== undefined && { payload }), targetsA, description: 'A’s ids' }];
  if (filters.size) {
    const filtered = new URLSearchParams([...query, ...filters]);
    requests.push({ url: withQuery(filtered), ...(payload !== undefined && { payload }), targetsA, description: `filtered by A’s ${[...filters.keys()].join(', ')}` });
  }
  return requests;
}

// ---- A's state ----

function rowsOf<T>(result: unknown): T[] {
  return (result as { rows: T[] }).rows;
}

interface Snapshot {
  readonly audit: unknown;
  readonly reads: Record<string, unknown>;
}

/** What would show if another tenant changed anything of A: its audit chain and every read A (or the operator) can make. */
async function snapshotOfA(): Promise<Snapshot> {
  const a = t.demo.merchantId;
  const operator = t.demo.operatorId;
  const ownIds = await Promise.all([...ids.values()]);
  const db = t.database.db;
  const heads = rowsOf(await db.execute(sql`select chain_id, seq::text as seq, hash from platform_audit_heads where chain_id in (${a}, ${operator}) order by chain_id`));
  const [aEntries] = rowsOf<{ n: string }>(await db.execute(sql`select count(*)::text as n from platform_audit_entries where chain_id = ${a}`));
  const touching = ownIds.length
    ? rowsOf<{ n: string }>(await db.execute(sql`select count(*)::text as n from platform_audit_entries where target_id in (${sql.join(ownIds.map((id) => sql`${id}`), sql`, `)})`))[0]
    : { n: '0' };
  const reads: Record<string, unknown> = {};
  for (const route of t.app.routeTable) {
    if (route.method !== 'GET' || !route.url.startsWith('/v1/') || route.public) continue;
    let url = route.url;
    let readable = true;
    for (const param of paramsOf(route.url)) {
      const id = ids.get(param);
      const choices = finiteValuesOf(operationOf(route).parameters?.find((p) => p.in === 'path' && p.name === param)?.schema);
      if (id) url = url.replace(`:${param}`, await id);
      else if (choices.length) url = url.replace(`:${param}`, encodeURIComponent(asText(choices[0]!)));
      else readable = false;
    }
    if (!readable) continue;
    let reader = 'A';
    let response = await t.app.inject({ method: 'GET', url, headers: { cookie: aCookie } });
    // Operator-level resources of A (its merchant record, its agent) are read as the operator.
    if (response.statusCode === 403) {
      reader = 'operator';
      response = await t.app.inject({ method: 'GET', url, headers: { cookie: operatorCookie } });
    }
    reads[url] = response.statusCode < 300 ? { reader, status: response.statusCode, body: response.json<unknown>() } : { reader, status: response.statusCode, code: json(response).code };
  }
  return { audit: { heads, aEntries: aEntries?.n, entriesTargetingAResources: touching?.n }, reads };
}

/** Every id that belongs to A, as A itself sees its data (the operator's reads show other merchants too; its id is shared). */
function idsIn(snapshot: Snapshot): Set<string> {
  const ownReads = Object.values(snapshot.reads).filter((read) => (read as { reader: string }).reader === 'A');
  const found = new Set(JSON.stringify(ownReads).match(idPattern) ?? []);
  found.delete(t.demo.operatorId);
  return found;
}

// ---- the other tenants ----

interface Caller {
  readonly name: string;
  readonly kind: 'merchant' | 'agent';
  readonly headers: Record<string, string>;
}

let callers: Caller[] = [];
let merchantB = '';
let aIds = new Set<string>();
let current: Snapshot;

beforeAll(async () => {
  aCookie = await t.login('owner');
  operatorCookie = await t.login('operator');
  const asOperator = <T>(method: HttpMethod, url: string, payload?: object) => fixtureContext.asOperator<T>(method, url, payload);

  // A gets an agent of its own, so the demo agent's login is an agent that does NOT own A;
  // B is brought in by the demo agent, so that agent has a merchant to see.
  const agentOfA = await asOperator<{ id: string }>('POST', '/v1/agents', { name: 'Agent of A' });
  await asOperator('PATCH', `/v1/merchants/${t.demo.merchantId}`, { agent_id: agentOfA.id });
  const b = await asOperator<{ id: string }>('POST', '/v1/merchants', {
    name: 'Merchant B',
    agent_id: t.demo.agentId,
    owner: { login: 'walk-b-owner', display_name: 'B owner', password: 'walk-b-owner-2026' },
  });
  merchantB = b.id;
  const bCookie = await t.login('walk-b-owner', 'walk-b-owner-2026');
  const bKey = await call<{ secret: string }>(bCookie, 'B', 'POST', '/v1/api-keys', { name: 'B walk key', scopes: ['*'] });
  callers = [
    { name: 'B’s owner (session)', kind: 'merchant', headers: { cookie: bCookie } },
    { name: 'B’s API key (scope *)', kind: 'merchant', headers: { authorization: `Bearer ${bKey.secret}` } },
    { name: 'an agent that does not own A', kind: 'agent', headers: { cookie: await t.login('agent') } },
  ];

  // Build every fixture a walked route or body needs, before the first snapshot.
  for (const route of walked) {
    for (const param of paramsOf(route.url)) if (tenantFixtures[param]) await fixtureContext.id(param);
  }
  current = await snapshotOfA();
  aIds = idsIn(current);
  for (const id of await Promise.all([...ids.values()])) aIds.add(id);
  aIds.add(t.demo.merchantId);
  for (const storeId of t.demo.storeIds) aIds.add(storeId);
});

describe('tenant isolation walk: preconditions', () => {
  it('A’s fixtures are real: A reads each of them', async () => {
    expect(ids.size).toBeGreaterThan(0);
    for (const [param, id] of ids) {
      const snapshotText = JSON.stringify(current.reads);
      expect(snapshotText.includes(await id), `A’s ${param} ${await id} shows in A’s own reads`).toBe(true);
    }
  });

  it('B’s credentials work and see B, and the agent sees only B', async () => {
    for (const caller of callers.filter((c) => c.kind === 'merchant')) {
      const me = await t.app.inject({ method: 'GET', url: '/v1/merchant', headers: caller.headers });
      expect(me.statusCode, caller.name).toBe(200);
      expect(json(me).id).toBe(merchantB);
    }
    const agent = callers.find((c) => c.kind === 'agent')!;
    const merchants = await t.app.inject({ method: 'GET', url: '/v1/merchants', headers: agent.headers });
    expect(json<{ items: { id: string }[] }>(merchants).items.map((m) => m.id)).toEqual([merchantB]);
  });

  it('walks the routes', () => {
    expect(walked.length).toBeGreaterThan(10);
  });
});

describe('tenant isolation walk: every authenticated /v1 route, as B and as a foreign agent, with A’s ids', () => {
  for (const route of walked) {
    it(label(route), async () => {
      const built = ids.size;
      const requests = await requestsFor(route);
      if (ids.size !== built) {
        // Fixtures for body fields are built on first use: they are A's own writes, so start over from here.
        current = await snapshotOfA();
        for (const id of [...idsIn(current), ...(await Promise.all([...ids.values()]))]) aIds.add(id);
      }
      const operatorRoute = operationOf(route).tags?.includes('operator') ?? false;
      const before = current;
      const failures: string[] = [];
      for (const caller of callers) {
        for (const request of requests) {
          const response = await t.app.inject({
            method: route.method as HttpMethod,
            url: request.url,
            headers: caller.headers,
            ...(request.payload !== undefined && { payload: request.payload as object }),
          });
          const status = response.statusCode;
          const where = `${caller.name}, ${request.description}: ${route.method} ${request.url}${request.payload !== undefined ? ` ${JSON.stringify(request.payload)}` : ''} → ${status} ${response.body.slice(0, 300)}`;
          if (status === 401) failures.push(`${where}\n  the caller's credentials stopped working (a route ended B's session or key?)`);
          else if (status >= 500) failures.push(`${where}\n  a 5xx: the route must answer another tenant with 404/403`);
          else if (request.targetsA) {
            const allowed = status === 403 || status === 404 || (status === 400 && route.hasBodySchema);
            if (!allowed) failures.push(`${where}\n  expected 404 (or 403) for A’s ids${route.hasBodySchema ? ', or 400 for a body B cannot satisfy' : ''}`);
            if (caller.kind === 'agent' && route.method === 'GET' && paramsOf(route.url).includes('merchantId') && status !== 404) {
              failures.push(`${where}\n  an agent that does not own A must get 404 for A`);
            }
          } else if (caller.kind === 'merchant' && operatorRoute && status !== 403) {
            failures.push(`${where}\n  operator routes answer merchant credentials with 403`);
          }
          if (status < 300) {
            const leaked = (response.body.match(idPattern) ?? []).filter((id) => aIds.has(id));
            if (leaked.length) failures.push(`${where}\n  the answer contains A’s ids: ${[...new Set(leaked)].join(', ')}`);
          }
        }
      }
      const after = await snapshotOfA();
      current = after;
      expect(failures, failures.join('\n\n')).toEqual([]);
      expect(after, `${label(route)} changed merchant A`).toEqual(before);
    });
  }
});

describe('Idempotency-Key replays stay with the caller who made the request', () => {
  // A replay is answered before the route runs its policy check, so a key space shared by several
  // callers would hand one caller another's response (an API key's secret, say) without a check.
  const probe = { name: 'replay probe', scopes: ['platform:read'] };
  const post = (url: string, headers: Record<string, string>, key: string, payload: object) =>
    t.app.inject({ method: 'POST', url, headers: { ...headers, 'idempotency-key': key }, payload });

  it('another merchant, and a weaker role of the same merchant, get no replay of A’s response', async () => {
    const first = await post('/v1/api-keys', { cookie: aCookie }, 'walk-replay-1', probe);
    expect(first.statusCode).toBe(201);
    const secret = json<{ secret: string }>(first).secret;

    const cashier = await post('/v1/api-keys', { cookie: await t.login('cashier') }, 'walk-replay-1', probe);
    expect(cashier.statusCode, cashier.body).toBe(403);
    expect(cashier.body).not.toContain(secret);

    for (const caller of callers.filter((c) => c.kind === 'merchant')) {
      const other = await post('/v1/api-keys', caller.headers, 'walk-replay-1', probe);
      expect(other.body, caller.name).not.toContain(secret);
      expect(other.headers['idempotent-replayed'], caller.name).toBeUndefined();
    }

    const again = await post('/v1/api-keys', { cookie: aCookie }, 'walk-replay-1', probe);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(json<{ secret: string }>(again).secret).toBe(secret);
  });

  it('an agent gets no replay of the operator’s response', async () => {
    const agent = callers.find((c) => c.kind === 'agent')!;
    const first = await post('/v1/agents', { cookie: operatorCookie }, 'walk-replay-2', { name: 'Replay agent' });
    expect(first.statusCode).toBe(201);
    const replayed = await post('/v1/agents', agent.headers, 'walk-replay-2', { name: 'Replay agent' });
    expect(replayed.statusCode, replayed.body).toBe(403);
  });
});
