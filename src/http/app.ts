import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import cookie from '@fastify/cookie';
import rateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { sql } from 'drizzle-orm';
import type { Config } from '../config.js';
import type { DatabaseHandle } from '../db/client.js';
import { commonErrors } from '../kernel/errors.js';
import { newId } from '../kernel/ids.js';
import { identityModule } from '../modules/identity/index.js';
import { membershipModule } from '../modules/membership/index.js';
import { paymentsModule } from '../modules/payments/index.js';
import { platformModule, type AccessContext } from '../modules/platform/index.js';
import { installIdempotency } from './idempotency-hook.js';
import { installProblemHandlers, sendProblem } from './problem.js';
import { Problem, type ModuleDeps } from './route-kit.js';

declare module 'fastify' {
  interface FastifyRequest {
    access: AccessContext | null;
  }
  interface FastifyContextConfig {
    /** Reachable without credentials (login, health, channel callbacks, H5 pages). */
    public?: boolean;
  }
}

export interface RouteInfo {
  readonly method: string;
  readonly url: string;
  readonly public: boolean;
  readonly hasBodySchema: boolean;
  readonly hasResponseSchema: boolean;
  readonly hasQuerySchema: boolean;
  readonly hasParamsSchema: boolean;
}

/** A module plugs itself in: its routes, under /v1 unless they say otherwise. */
export interface ModuleRegistration {
  readonly name: string;
  readonly routes: (app: FastifyInstance, deps: ModuleDeps) => Promise<void>;
  /** Routes outside /v1 (channel callbacks, H5 pages), registered at the root; public ones say so. */
  readonly publicRoutes?: (app: FastifyInstance, deps: ModuleDeps) => Promise<void>;
}

const modules: readonly ModuleRegistration[] = [platformModule, paymentsModule, identityModule, membershipModule];

export const sessionCookie = 'mp_session';
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface BuildAppOptions {
  readonly config: Config;
  readonly database: DatabaseHandle;
  readonly logger?: FastifyServerOptions['logger'];
}

export async function buildApp({ config, database, logger }: BuildAppOptions) {
  const app = Fastify({
    logger: logger ?? { level: config.LOG_LEVEL, redact: ['req.headers.authorization', 'req.headers.cookie'] },
    bodyLimit: config.BODY_LIMIT_BYTES,
    genReqId: () => newId('event').replace('evt_', 'req_'),
    requestIdHeader: false,
    trustProxy: true,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: true, useDefaults: true } },
    routerOptions: { ignoreTrailingSlash: true },
  }).withTypeProvider<TypeBoxTypeProvider>();

  const routeTable: RouteInfo[] = [];
  app.decorate('routeTable', routeTable);
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      if (method === 'HEAD' || route.schema?.hide) continue;
      routeTable.push({
        method,
        url: route.url,
        public: Boolean(route.config?.public),
        hasBodySchema: Boolean(route.schema?.body),
        hasResponseSchema: Boolean(route.schema?.response),
        hasQuerySchema: Boolean(route.schema?.querystring),
        hasParamsSchema: Boolean(route.schema?.params),
      });
    }
  });

  app.addSchema(Problem);
  installProblemHandlers(app);
  app.addHook('onSend', async (request, reply, payload) => {
    reply.header('x-request-id', request.id);
    return payload;
  });

  await app.register(cookie);
  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: (_request, context) => {
      const error = commonErrors.make('rate_limited', `too many attempts; retry in ${Math.ceil(context.ttl / 1000)} s`);
      return Object.assign(error, { statusCode: 429 });
    },
  });
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'MemberPlus API', version: '0.1.0', description: 'MemberPlus (会员+): payments → members → ID+ → operations → insights → finance.' },
      components: {
        securitySchemes: {
          apiKey: { type: 'http', scheme: 'bearer', description: 'Merchant or operator API key: `Authorization: Bearer mpk_…`' },
          session: { type: 'apiKey', in: 'cookie', name: sessionCookie },
        },
      },
      security: [{ apiKey: [] }, { session: [] }],
    },
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true }, config: { public: true } }, async () => app.swagger());

  app.decorateRequest('access', null);
  app.addHook('onRequest', async (request, reply) => {
    if (!request.url.startsWith('/v1/')) return;
    const authorization = request.headers.authorization;
    const platform = platformModule.auth;
    let access: AccessContext | null = null;
    if (authorization?.startsWith('Bearer ')) {
      access = await platform.authenticateApiKey(database.db, authorization.slice(7).trim(), request.id);
      if (!access) return sendProblem(reply, request, commonErrors.make('unauthenticated', 'the API key is unknown or revoked'));
    } else {
      const token = request.cookies[sessionCookie];
      if (token) access = await platform.authenticateSession(database.db, token, request.id);
    }
    request.access = access;
    if (!access && !request.routeOptions.config?.public) {
      return sendProblem(reply, request, commonErrors.make('unauthenticated'));
    }
    return undefined;
  });
  installIdempotency(app, database.db);

  app.get('/healthz', { schema: { hide: true }, config: { public: true } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { schema: { hide: true }, config: { public: true } }, async (_request, reply) => {
    try {
      await database.db.execute(sql`select 1`);
      return { status: 'ready', database: database.kind };
    } catch {
      return reply.status(503).send({ status: 'unavailable', database: database.kind });
    }
  });

  const deps: ModuleDeps = { db: database.db, config };
  for (const module of modules) {
    await app.register(async (scoped) => module.routes(scoped, deps), { prefix: '/v1' });
    const publicRoutes = module.publicRoutes;
    if (publicRoutes) await app.register(async (scoped) => publicRoutes(scoped, deps));
  }

  const consoleDist = path.join(root, 'web/console/dist');
  if (existsSync(consoleDist)) {
    await app.register(fastifyStatic, { root: consoleDist, prefix: '/console/', decorateReply: true, wildcard: false });
    app.get('/console/*', { schema: { hide: true }, config: { public: true } }, (_request, reply) => reply.sendFile('index.html', consoleDist));
  }
  app.get('/', { schema: { hide: true }, config: { public: true } }, (_request, reply) => reply.redirect('/console/'));

  app.setNotFoundHandler((request, reply) => sendProblem(reply, request, commonErrors.make('not_found', `no route ${request.method} ${request.url.split('?')[0]}`)));
  return app;
}

export type App = Awaited<ReturnType<typeof buildApp>>;

declare module 'fastify' {
  interface FastifyInstance {
    routeTable: RouteInfo[];
  }
}
