import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RouteInfo } from '../../src/http/app.js';
import { json, startTestApp, type TestApp } from '../support/app.js';

// Every route the app registers (app.routeTable records all but hidden ones) must say what it
// accepts and what it answers, so the OpenAPI document is complete and unknown fields are refused.
// Routes added by any module are covered without touching this file.

interface RawBodyException {
  readonly method: string;
  readonly url: RegExp;
  readonly reason: string;
}

/** Routes whose body is intentionally unparsed: keep this list small, each entry with its reason. */
const rawBodyRoutes: readonly RawBodyException[] = [
  {
    method: 'POST',
    url: /^\/notify\/(wechatpay|alipay|sandbox)\//,
    reason:
      'channel notifications: the signature covers the exact bytes (WeChat Pay JSON with an encrypted resource, Alipay form-encoded), so the body is verified raw before it is parsed, and the channel — not us — defines its shape',
  },
];

const bodyMethods = new Set(['POST', 'PUT', 'PATCH']);
const operationMethods = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

interface Operation {
  summary?: string;
  tags?: string[];
  responses?: Record<string, unknown>;
}
interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Partial<Record<(typeof operationMethods)[number], Operation>>>;
}

const label = (r: Pick<RouteInfo, 'method' | 'url'>) => `${r.method} ${r.url}`;
const openApiPath = (url: string) => url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
const rawBodyException = (r: RouteInfo) => (r.public ? rawBodyRoutes.find((e) => e.method === r.method && e.url.test(r.url)) : undefined);

let t: TestApp;
let routes: RouteInfo[];
let spec: OpenApiDocument;
beforeAll(async () => {
  t = await startTestApp();
  routes = t.app.routeTable;
  const response = await t.app.inject({ method: 'GET', url: '/openapi.json' });
  expect(response.statusCode).toBe(200);
  spec = json<OpenApiDocument>(response);
});
afterAll(() => t.close());

describe('route schemas', () => {
  it('the route table holds the API', () => {
    expect(routes.filter((r) => r.url.startsWith('/v1/')).length).toBeGreaterThan(10);
  });

  it('every route has a response schema', () => {
    expect(routes.filter((r) => !r.hasResponseSchema).map(label)).toEqual([]);
  });

  it('every POST/PUT/PATCH route has a body schema (NoBody from route-kit for actions without one)', () => {
    const missing = routes.filter((r) => bodyMethods.has(r.method) && !r.hasBodySchema && !rawBodyException(r)).map(label);
    expect(missing, 'declare `body:` (use NoBody for an action that takes none)').toEqual([]);
  });

  it('every route with :params has a params schema', () => {
    expect(routes.filter((r) => r.url.includes(':') && !r.hasParamsSchema).map(label)).toEqual([]);
  });

  it('raw-body exceptions only cover public routes that really skip the body schema', () => {
    for (const exception of rawBodyRoutes) expect(exception.reason.length, `${exception.method} ${String(exception.url)}`).toBeGreaterThan(20);
    // An exception is for unparsed bodies only: a covered route that declares a body should not be on the list.
    const needless = routes.filter((r) => rawBodyException(r) && r.hasBodySchema).map(label);
    expect(needless).toEqual([]);
  });
});

describe('/openapi.json', () => {
  it('is OpenAPI 3.1', () => {
    expect(spec.openapi).toMatch(/^3\.1\.\d+$/);
  });

  it('documents every /v1 route of the route table', () => {
    const missing = routes
      .filter((r) => r.url.startsWith('/v1/'))
      .filter((r) => !spec.paths[openApiPath(r.url)]?.[r.method.toLowerCase() as (typeof operationMethods)[number]])
      .map(label);
    expect(missing).toEqual([]);
  });

  it('every operation has a summary, tags and a success response', () => {
    const problems: string[] = [];
    for (const [path, item] of Object.entries(spec.paths)) {
      for (const method of operationMethods) {
        const operation = item[method];
        if (!operation) continue;
        const where = `${method.toUpperCase()} ${path}`;
        if (!operation.summary?.trim()) problems.push(`${where}: no summary`);
        if (!operation.tags?.length) problems.push(`${where}: no tags`);
        if (!Object.keys(operation.responses ?? {}).some((status) => /^2\d\d$/.test(status))) problems.push(`${where}: no 2xx response`);
      }
    }
    expect(problems).toEqual([]);
  });
});

describe('NoBody', () => {
  it('accepts an absent body and {}, and refuses fields', async () => {
    const owner = await t.login('owner');
    const key = async () =>
      json<{ id: string }>(await t.app.inject({ method: 'POST', url: '/v1/api-keys', headers: { cookie: owner }, payload: { name: 'to revoke', scopes: ['platform:read'] } })).id;
    const bare = await t.app.inject({ method: 'POST', url: `/v1/api-keys/${await key()}/revoke`, headers: { cookie: owner } });
    expect(bare.statusCode, bare.body).toBe(200);
    const empty = await t.app.inject({ method: 'POST', url: `/v1/api-keys/${await key()}/revoke`, headers: { cookie: owner }, payload: {} });
    expect(empty.statusCode, empty.body).toBe(200);
    const extra = await t.app.inject({ method: 'POST', url: `/v1/api-keys/${await key()}/revoke`, headers: { cookie: owner }, payload: { now: true } });
    expect(extra.statusCode).toBe(400);
    expect(json(extra).code).toBe('validation_failed');
  });
});
