// Typed errors: every module declares a closed list of codes with their HTTP status and a title
// written once for people; the HTTP layer maps them to RFC 9457 problem+json.

export interface ErrorSpec {
  readonly status: number;
  readonly title: string;
}

export interface FieldError {
  readonly field: string;
  readonly message: string;
}

export class AppError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    readonly title: string,
    readonly detail: string | undefined,
    readonly fields?: readonly FieldError[],
    readonly extra?: Readonly<Record<string, unknown>>,
  ) {
    super(detail ?? title);
    this.name = 'AppError';
  }
}

export interface ErrorCatalogue<Code extends string> {
  readonly specs: Readonly<Record<Code, ErrorSpec>>;
  make(code: Code, detail?: string, extra?: { fields?: readonly FieldError[]; [key: string]: unknown }): AppError;
}

export function defineErrors<Code extends string>(specs: Record<Code, ErrorSpec>): ErrorCatalogue<Code> {
  return {
    specs,
    make(code, detail, extra) {
      const spec = specs[code];
      const { fields, ...rest } = extra ?? {};
      return new AppError(code, spec.status, spec.title, detail, fields, rest);
    },
  };
}

// Errors every module may raise; they exist before any module does.
export const commonErrors = defineErrors({
  validation_failed: { status: 400, title: 'The request is not valid' },
  unauthenticated: { status: 401, title: 'Authentication is required' },
  forbidden: { status: 403, title: 'You are not allowed to do this' },
  not_found: { status: 404, title: 'Not found' },
  method_not_allowed: { status: 405, title: 'Method not allowed' },
  conflict: { status: 409, title: 'Conflict with the current state' },
  idempotency_key_reused: { status: 409, title: 'Idempotency-Key was used with a different request' },
  idempotency_in_progress: { status: 409, title: 'A request with this Idempotency-Key is still in progress' },
  payload_too_large: { status: 413, title: 'Request body is too large' },
  unsupported_media_type: { status: 415, title: 'Unsupported media type' },
  rate_limited: { status: 429, title: 'Too many requests' },
  internal: { status: 500, title: 'Internal error' },
  unavailable: { status: 503, title: 'Service unavailable' },
});
