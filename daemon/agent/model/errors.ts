import { ApiError } from '@google/genai';
import { McpgwError } from '../../../src/errors.js';
import type { ModelErrorKind } from './types.js';

/** What a failed call amounts to: enough to decide on a retry and to write one clear line. */
export interface ModelFailure {
  kind: Exclude<ModelErrorKind, 'missing_key' | 'cancelled'>;
  retryable: boolean;
  /** Google's message (or the transport's), on one line. */
  detail: string;
  httpStatus?: number;
  /** Google's status name, e.g. RESOURCE_EXHAUSTED. */
  status?: string;
  /** The wait the server asked for (google.rpc.RetryInfo). */
  retryDelayMs?: number;
  /** Node/undici error code for transport failures, e.g. ECONNREFUSED. */
  code?: string;
  /** A transport failure after the response had begun, as opposed to never getting one. */
  midResponse?: boolean;
}

interface GoogleErrorBody {
  message?: unknown;
  status?: unknown;
  details?: unknown;
}

const RETRYABLE_STATUSES = new Set([408, 429, 500, 502, 503, 504]);
const MAX_DETAIL = 300;

/** Collapses whitespace and caps the length, so a proxy's HTML page cannot flood a log line. */
function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > MAX_DETAIL ? `${flat.slice(0, MAX_DETAIL - 1)}…` : flat;
}

/** Parses a protobuf Duration as JSON encodes it ("2s", "0.5s", "51820.638305887s") into milliseconds. */
export function parseDuration(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const m = /^(\d+(?:\.\d+)?)s$/.exec(value.trim());
  return m?.[1] === undefined ? undefined : Math.ceil(Number(m[1]) * 1000);
}

/**
 * The SDK puts the whole error body into ApiError.message: `{"error":{...}}` for an HTTP error, or
 * `got status: X. {"error":{...}}` for an error event inside a stream. Headers (Retry-After) are not kept.
 */
function googleErrorOf(message: string): GoogleErrorBody | undefined {
  const start = message.indexOf('{');
  if (start < 0) return undefined;
  try {
    const parsed = JSON.parse(message.slice(start)) as unknown;
    const body = Array.isArray(parsed) ? (parsed[0] as unknown) : parsed;
    if (typeof body !== 'object' || body === null || !('error' in body)) return undefined;
    const error = (body as { error: unknown }).error;
    return typeof error === 'object' && error !== null ? (error as GoogleErrorBody) : undefined;
  } catch {
    return undefined;
  }
}

function detailsOf(error: GoogleErrorBody | undefined): Record<string, unknown>[] {
  if (!Array.isArray(error?.details)) return [];
  return error.details.filter((d): d is Record<string, unknown> => typeof d === 'object' && d !== null);
}

function classifyApiError(err: ApiError): ModelFailure {
  const google = googleErrorOf(err.message);
  const httpStatus = err.status;
  const details = detailsOf(google);
  const retryInfo = details.find((d) => String(d['@type']).endsWith('google.rpc.RetryInfo'));
  const retryDelayMs = parseDuration(retryInfo?.['retryDelay']);
  const badKey = details.some((d) => d['reason'] === 'API_KEY_INVALID');
  const failure: ModelFailure = {
    kind: 'bad_request',
    retryable: RETRYABLE_STATUSES.has(httpStatus),
    detail: oneLine(typeof google?.message === 'string' ? google.message : err.message),
    httpStatus,
    ...(typeof google?.status === 'string' ? { status: google.status } : {}),
    ...(retryDelayMs !== undefined ? { retryDelayMs } : {}),
  };
  // The Gemini API answers a wrong key with 400 INVALID_ARGUMENT, not 401.
  if (httpStatus === 401 || httpStatus === 403 || badKey) failure.kind = 'auth';
  else if (httpStatus === 429) failure.kind = 'rate_limited';
  else if (httpStatus >= 500 || httpStatus === 408) failure.kind = 'server';
  return failure;
}

/** The first Node/undici error along the cause chain (fetch hides the socket error in `cause`). */
function transportError(err: unknown): { code: string; message: string } | undefined {
  let current: unknown = err;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^(E[A-Z0-9_]+|UND_ERR_[A-Z_]+)$/.test(code)) {
      const message = (current as { message?: unknown }).message;
      return { code, message: typeof message === 'string' ? message : code };
    }
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** ApiError by class, or by shape when a second copy of the SDK (CJS next to ESM) made it. */
function isApiError(err: unknown): err is ApiError {
  if (err instanceof ApiError) return true;
  return err instanceof Error && err.name === 'ApiError' && typeof (err as { status?: unknown }).status === 'number';
}

/** Maps anything the SDK threw (except a cancellation, which the caller checks first) to a ModelFailure. */
export function classifyFailure(err: unknown): ModelFailure {
  if (isApiError(err)) return classifyApiError(err);
  const message = err instanceof Error ? err.message : String(err);
  const transport = transportError(err);
  // fetch rejects with TypeError('fetch failed'), a dropped body with TypeError('terminated'); a stream cut
  // between SSE events leaves the SDK with an incomplete JSON segment.
  const network =
    transport !== undefined ||
    (err instanceof TypeError && /fetch failed|terminated|network/i.test(message)) ||
    /Incomplete JSON segment|exception parsing stream chunk/.test(message);
  if (network) {
    return {
      kind: 'network',
      retryable: true,
      // The socket's own words ("connect ECONNREFUSED 127.0.0.1:1") say more than fetch's wrapper.
      detail: oneLine(transport?.message ?? message),
      midResponse: message !== 'fetch failed',
      ...(transport !== undefined ? { code: transport.code } : {}),
    };
  }
  return { kind: 'bad_request', retryable: false, detail: oneLine(message) };
}

/** Human wording for a wait, e.g. "2s", "14h 23m". */
export function formatDelay(ms: number): string {
  const s = Math.ceil(ms / 1000);
  if (s < 120) return `${s}s`;
  const m = Math.round(s / 60);
  if (m < 120) return `${m}m`;
  return `${Math.floor(m / 60)}h ${m % 60}m`;
}

export interface FailureContext {
  /** Retries already made before this failure. */
  retries: number;
  /** Why no (further) retry: exhausted, streamed, or the server's wait is too long. */
  stop: 'not_retryable' | 'exhausted' | 'streamed' | 'wait_too_long';
  /** Where requests went, for network errors. */
  endpoint: string;
}

function headline(f: ModelFailure, endpoint: string): string {
  const http = f.httpStatus !== undefined ? ` (HTTP ${f.httpStatus})` : '';
  switch (f.kind) {
    case 'auth':
      return f.httpStatus === 403 ? `Gemini denied access with this API key${http}` : `Gemini rejected the API key${http}`;
    case 'rate_limited':
      return `Rate limited by Gemini${http}`;
    case 'server':
      return `Gemini server error${http}`;
    case 'network': {
      const code = f.code !== undefined ? ` (${f.code})` : '';
      return f.midResponse === true
        ? `Lost the connection to Gemini at ${endpoint}${code}`
        : `Could not reach Gemini at ${endpoint}${code}`;
    }
    case 'bad_request':
      return f.httpStatus !== undefined ? `Gemini rejected the request${http}` : 'Gemini request failed';
  }
}

function tail(f: ModelFailure, ctx: FailureContext): string {
  const plural = ctx.retries === 1 ? 'retry' : 'retries';
  switch (ctx.stop) {
    case 'exhausted':
      return ctx.retries > 0 ? `; gave up after ${ctx.retries} ${plural}` : '';
    case 'streamed':
      return '; the reply had already started streaming, so it was not retried';
    case 'wait_too_long':
      return `; Gemini asks to wait ${formatDelay(f.retryDelayMs ?? 0)}, too long to retry`;
    case 'not_retryable':
      return '';
  }
}

/** One line for a failure, without any retry story. */
export function describeFailure(f: ModelFailure, endpoint: string): string {
  return `${headline(f, endpoint)}: ${f.detail}`;
}

/** The McpgwError for a failure that will not be retried (again). */
export function toModelError(f: ModelFailure, ctx: FailureContext, cause: unknown): McpgwError {
  const message = `${headline(f, ctx.endpoint)}${tail(f, ctx)}: ${f.detail}`;
  return new McpgwError('model_error', message, {
    cause,
    details: {
      kind: f.kind,
      retries: ctx.retries,
      ...(f.httpStatus !== undefined ? { httpStatus: f.httpStatus } : {}),
      ...(f.status !== undefined ? { status: f.status } : {}),
      ...(f.retryDelayMs !== undefined ? { retryDelayMs: f.retryDelayMs } : {}),
      ...(f.code !== undefined ? { code: f.code } : {}),
    },
  });
}

/** The error for a request without an API key; raised before any network call. */
export function missingKeyError(): McpgwError {
  return new McpgwError('model_error', 'No Gemini API key: set GEMINI_API_KEY (or GOOGLE_API_KEY) in the environment mcpd runs in', {
    details: { kind: 'missing_key' },
  });
}

/** The error for a request the caller aborted. */
export function cancelledError(cause?: unknown): McpgwError {
  return new McpgwError('cancelled', 'Gemini request cancelled', {
    ...(cause !== undefined ? { cause } : {}),
    details: { kind: 'cancelled' },
  });
}
