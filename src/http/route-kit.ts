import { Type, type TObject, type TProperties, type TSchema, type ObjectOptions } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import type { Config } from '../config.js';
import type { Db } from '../db/client.js';
import { commonErrors } from '../kernel/errors.js';
import type { AccessContext } from '../modules/platform/index.js';

/** What every module's routes plugin receives. */
export interface ModuleDeps {
  readonly db: Db;
  readonly config: Config;
}

/** Request bodies reject unknown fields: a typo must not be silently ignored. */
export function StrictObject<T extends TProperties>(properties: T, options: ObjectOptions = {}): TObject<T> {
  return Type.Object(properties, { additionalProperties: false, ...options });
}

/**
 * The body of an action that takes none (logout, revoke, resend): absent, or `{}`. Declaring it keeps
 * such routes documented and strict; Fastify validates an absent body as null.
 */
export const NoBody = Type.Union([Type.Null(), StrictObject({})], { description: 'no body, or an empty JSON object' });

export const Problem = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    code: Type.String(),
    detail: Type.Optional(Type.String()),
    instance: Type.Optional(Type.String()),
    request_id: Type.Optional(Type.String()),
    errors: Type.Optional(Type.Array(Type.Object({ field: Type.String(), message: Type.String() }))),
  },
  { $id: 'Problem', additionalProperties: true, description: 'RFC 9457 problem details' },
);

const problemRef = Type.Ref('Problem');

/** The error answers a route can give, added to its documented responses. */
export function errors(...statuses: number[]): Record<number, TSchema> {
  const out: Record<number, TSchema> = {};
  for (const status of [400, 401, 403, 404, ...statuses]) out[status] = problemRef;
  return out;
}

export const Timestamp = Type.String({ format: 'date-time' });
// Null first: with coerceTypes on, a string-first union would coerce null to "".
export const Nullable = <T extends TSchema>(schema: T) => Type.Union([Type.Null(), schema]);

export const PageQuery = {
  after: Type.Optional(Type.String({ maxLength: 64, description: 'cursor: the id of the last item of the previous page' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
};

export function Page<T extends TSchema>(item: T) {
  return Type.Object({ items: Type.Array(item), next_cursor: Nullable(Type.String()) });
}

export const IdempotencyHeader = Type.Object({
  'idempotency-key': Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
});

/** The access context of an authenticated request; routes never run without one unless public. */
export function accessOf(request: FastifyRequest): AccessContext {
  if (!request.access) throw commonErrors.make('unauthenticated');
  return request.access;
}

export function iso(date: Date | null): string | null {
  return date ? date.toISOString() : null;
}
