import type { LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import type { TestApp } from '../support/app.js';

export type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

/** A caller bound to one set of credentials (a console session cookie or an API key). */
export interface Caller {
  raw(method: Method, url: string, payload?: object, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  /** Fails unless 2xx; returns the JSON body. */
  ok<T = Record<string, unknown>>(method: Method, url: string, payload?: object, headers?: Record<string, string>): Promise<T>;
}

export function caller(t: TestApp, credentials: { cookie: string } | { apiKey: string }): Caller {
  const auth = 'cookie' in credentials ? { cookie: credentials.cookie } : { authorization: `Bearer ${credentials.apiKey}` };
  const raw = (method: Method, url: string, payload?: object, headers: Record<string, string> = {}) =>
    t.app.inject({ method, url, headers: { ...auth, ...headers }, ...(payload !== undefined && { payload }) });
  return {
    raw,
    async ok<T>(method: Method, url: string, payload?: object, headers?: Record<string, string>) {
      const response = await raw(method, url, payload, headers);
      expect(response.statusCode, `${method} ${url} → ${response.statusCode} ${response.body}`).toBeLessThan(300);
      return response.json<T>();
    },
  };
}

export interface MemberBody {
  readonly id: string;
  readonly card_number: string;
  readonly person_id: string | null;
  readonly tier: { code: string | null };
}

let phoneSeq = 0;
/** A distinct valid mainland mobile number per call. */
export function nextPhone(): string {
  phoneSeq += 1;
  return `139${String(10_000_000 + phoneSeq * 7919).slice(-8)}`;
}

export async function enrol(c: Caller, extra: Record<string, unknown> = {}): Promise<MemberBody> {
  const response = await c.raw('POST', '/v1/members', { phone: nextPhone(), consent_version: 'v1', consent_purposes: ['membership'], ...extra });
  expect(response.statusCode, response.body).toBe(201);
  return response.json<MemberBody>();
}

export function codeOf(response: LightMyRequestResponse): string {
  return response.json<{ code: string }>().code;
}
