import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, commonErrors, type FieldError } from '../kernel/errors.js';

const problemBase = 'https://memberplus.dev/problems/';

export function sendProblem(reply: FastifyReply, request: FastifyRequest, error: AppError): FastifyReply {
  const body: Record<string, unknown> = {
    type: problemBase + error.code,
    title: error.title,
    status: error.status,
    code: error.code,
    instance: request.url.split('?')[0],
    request_id: request.id,
  };
  if (error.detail && error.detail !== error.title) body.detail = error.detail;
  if (error.fields?.length) body.errors = error.fields;
  for (const [key, value] of Object.entries(error.extra ?? {})) if (!(key in body)) body[key] = value;
  return reply.status(error.status).type('application/problem+json; charset=utf-8').send(JSON.stringify(body));
}

function fieldErrorsOf(error: FastifyError): FieldError[] {
  return (error.validation ?? []).map((issue) => {
    const base = `${error.validationContext ?? 'body'}${issue.instancePath.replaceAll('/', '.')}`;
    const params = issue.params;
    if (issue.keyword === 'additionalProperties') {
      return { field: `${base}.${String(params.additionalProperty)}`, message: 'unknown field' };
    }
    if (issue.keyword === 'required') {
      return { field: `${base}.${String(params.missingProperty)}`, message: 'is required' };
    }
    return { field: base, message: issue.message ?? 'is invalid' };
  });
}

/** Maps every failure to problem+json; anything unexpected becomes a 500 that says nothing inside. */
export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  const fastifyError = error as FastifyError;
  if (fastifyError.validation) {
    const fields = fieldErrorsOf(fastifyError);
    return commonErrors.make('validation_failed', fields.map((f) => `${f.field}: ${f.message}`).join('; '), { fields });
  }
  switch (fastifyError.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return commonErrors.make('payload_too_large');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return commonErrors.make('unsupported_media_type');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return commonErrors.make('validation_failed', 'the JSON body is empty');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return commonErrors.make('validation_failed', 'the body is not valid JSON');
    case 'FST_ERR_RATE_LIMIT_EXCEEDED':
      return commonErrors.make('rate_limited', fastifyError.message);
    default:
      break;
  }
  if (fastifyError.statusCode === 400 && fastifyError instanceof SyntaxError) {
    return commonErrors.make('validation_failed', 'the body is not valid JSON');
  }
  if (fastifyError.statusCode === 429) return commonErrors.make('rate_limited', fastifyError.message);
  if (fastifyError.statusCode === 415) return commonErrors.make('unsupported_media_type');
  if (fastifyError.statusCode === 413) return commonErrors.make('payload_too_large');
  if (fastifyError.statusCode === 405) return commonErrors.make('method_not_allowed');
  if (fastifyError.statusCode && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
    return commonErrors.make('validation_failed', fastifyError.message);
  }
  return commonErrors.make('internal', 'an internal error occurred; quote the request id when reporting it');
}

export function installProblemHandlers(app: FastifyInstance): void {
  app.setErrorHandler((error, request, reply) => {
    const appError = toAppError(error);
    if (appError.status >= 500) request.log.error({ err: error }, 'request failed');
    return sendProblem(reply, request, appError);
  });
}
