// The console talks to the same /v1 API as everyone else, with the session cookie.

export interface FieldProblem {
  readonly field: string;
  readonly message: string;
}

/** An RFC 9457 problem answer, kept whole so pages can show its title and detail. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly title: string,
    readonly detail: string | undefined,
    readonly fields: readonly FieldProblem[] = [],
  ) {
    super(detail ? `${title}: ${detail}` : title);
  }
}

type Listener = () => void;
const unauthenticatedListeners = new Set<Listener>();

/** Called when any request answers 401, so the shell can fall back to the login page. */
export function onUnauthenticated(listener: Listener): () => void {
  unauthenticatedListeners.add(listener);
  return () => unauthenticatedListeners.delete(listener);
}

type Query = Record<string, string | number | undefined | null>;

export function withQuery(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

async function problemOf(response: Response): Promise<ApiError> {
  let body: Record<string, unknown> = {};
  try {
    body = (await response.json()) as Record<string, unknown>;
  } catch {
    // Not JSON (a proxy error page): the status line is all there is.
  }
  const title = typeof body.title === 'string' ? body.title : response.statusText || `HTTP ${response.status}`;
  const detail = typeof body.detail === 'string' ? body.detail : undefined;
  const code = typeof body.code === 'string' ? body.code : `http_${response.status}`;
  const fields = Array.isArray(body.errors) ? (body.errors as FieldProblem[]) : [];
  return new ApiError(response.status, code, title, detail, fields);
}

export async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const init: RequestInit = { method, credentials: 'include', headers: { accept: 'application/json' } };
  if (body !== undefined) {
    init.headers = { accept: 'application/json', 'content-type': 'application/json' };
    init.body = JSON.stringify(body);
  }
  const response = await fetch(path, init);
  if (!response.ok) {
    const error = await problemOf(response);
    if (response.status === 401 && path !== '/v1/auth/login' && path !== '/v1/auth/me') for (const listener of unauthenticatedListeners) listener();
    throw error;
  }
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

export const api = {
  get: <T>(path: string, query?: Query) => request<T>('GET', withQuery(path, query)),
  post: <T>(path: string, body?: unknown) => request<T>('POST', path, body),
  patch: <T>(path: string, body: unknown) => request<T>('PATCH', path, body),
  delete: <T>(path: string) => request<T>('DELETE', path),
};

export interface Page<T> {
  readonly items: T[];
  readonly next_cursor: string | null;
}

/** Follows `next_cursor` to the end; for small reference lists (stores in a select, agents). */
export async function fetchAll<T>(path: string, query: Query = {}, maxPages = 20): Promise<T[]> {
  const out: T[] = [];
  let after: string | null = null;
  for (let i = 0; i < maxPages; i++) {
    const page: Page<T> = await api.get<Page<T>>(path, { ...query, limit: 200, after });
    out.push(...page.items);
    if (!page.next_cursor) break;
    after = page.next_cursor;
  }
  return out;
}

// ---- views, as the API returns them (snake_case) ----

export interface Me {
  kind: string;
  id: string;
  label: string;
  login?: string;
  role: string | null;
  operator_id: string;
  agent_id?: string | null;
  merchant_id: string | null;
  merchant_name?: string | null;
  store_ids?: string[] | null;
  scopes: string[];
}

export interface Agent {
  id: string;
  name: string;
  contact_name: string | null;
  contact_phone: string | null;
  share_bps: number;
  status: string;
  created_at: string;
}

export interface Merchant {
  id: string;
  name: string;
  legal_name: string | null;
  agent_id: string | null;
  timezone: string;
  status: string;
  created_at: string;
  owner_id?: string | null;
}

export interface Store {
  id: string;
  name: string;
  address: string | null;
  phone: string | null;
  status: string;
  created_at: string;
}

export interface StaffMember {
  id: string;
  login: string;
  display_name: string;
  phone: string | null;
  role: string;
  status: string;
  store_ids: string[];
  locked_until: string | null;
  created_at: string;
}

export interface RolesReference {
  roles: string[];
  merchant_roles: string[];
  merchant_scopes: string[];
  operator_scopes: string[];
}

export interface ApiKey {
  id: string;
  name: string;
  kind: string;
  scopes: string[];
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

export interface AuditEntry {
  seq: number;
  id: string;
  occurred_at: string;
  actor_kind: string;
  actor_id: string;
  actor_label: string;
  action: string;
  target_type: string;
  target_id: string;
  before: unknown;
  after: unknown;
  request_id: string | null;
  hash: string;
  prev_hash: string;
}

export interface ChainVerification {
  chain_id: string;
  entries: number;
  ok: boolean;
  first_break: { kind: string; seq: number; id?: string } | null;
}

export interface WebhookEndpoint {
  id: string;
  url: string;
  description: string | null;
  event_types: string[];
  enabled: boolean;
  created_at: string;
}

export interface WebhookAttempt {
  attempt_no: number;
  attempted_at: string;
  status_code: number | null;
  error: string | null;
  duration_ms: number;
  manual: boolean;
}

interface WebhookDeliveryFields {
  id: string;
  endpoint_id: string;
  event_id: string;
  event_type: string;
  /** pending, delivered or failed (the retry schedule is exhausted). */
  status: string;
  next_attempt_at: string | null;
  last_status_code: number | null;
  last_error: string | null;
  delivered_at: string | null;
  created_at: string;
}

export interface WebhookDelivery extends WebhookDeliveryFields {
  /** Attempts made, manual resends included. */
  attempts: number;
}

export interface WebhookDeliveryDetail extends WebhookDeliveryFields {
  payload: { id: string; type: string; created_at: string; merchant_id: string; data: unknown };
  attempts: WebhookAttempt[];
}
