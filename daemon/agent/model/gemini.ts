import { setTimeout as delay } from 'node:timers/promises';
import { GoogleGenAI } from '@google/genai';
import type { GenerateContentConfig } from '@google/genai';
import { TurnAssembler, newCallId } from './assemble.js';
import { cancelledError, classifyFailure, describeFailure, formatDelay, missingKeyError, toModelError } from './errors.js';
import type { FailureContext, ModelFailure } from './errors.js';
import type { ModelClient, ModelEvent, ModelRequest } from './types.js';

/** Where the SDK goes when no base URL is configured. */
export const DEFAULT_GEMINI_BASE_URL = 'https://generativelanguage.googleapis.com';

export interface GeminiModelClientOptions {
  /** Else GEMINI_API_KEY, else GOOGLE_API_KEY. */
  apiKey?: string;
  /** Else GOOGLE_GEMINI_BASE_URL, else Google's endpoint. */
  baseUrl?: string;
  /** Where the variables above are read; defaults to process.env. */
  env?: Record<string, string | undefined>;
  /** Retries after the first attempt for 429, 5xx and network failures. Default 3. */
  retries?: number;
  /** First backoff step. Default 1s, doubling per retry, with jitter. */
  baseDelayMs?: number;
  /** Cap on a computed backoff step. Default 30s. */
  maxDelayMs?: number;
  /** The longest server-requested wait (RetryInfo) that is honoured; a longer one fails at once. Default 65s. */
  maxServerDelayMs?: number;
  /** Injected so tests do not wait; must reject (or resolve early) when the signal aborts. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Jitter source in [0, 1). */
  random?: () => number;
  /** Id for a function call the API sent without one. */
  newCallId?: () => string;
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}

const defaultSleep = (ms: number, signal?: AbortSignal): Promise<void> => delay(ms, undefined, signal === undefined ? {} : { signal });

function requestConfig(req: ModelRequest, abortSignal: AbortSignal): GenerateContentConfig {
  return {
    abortSignal,
    // The agent loop runs tools itself (approval first); the SDK must never call anything on its own.
    automaticFunctionCalling: { disable: true },
    ...(req.systemInstruction !== undefined ? { systemInstruction: req.systemInstruction } : {}),
    ...(req.functionDeclarations.length > 0 ? { tools: [{ functionDeclarations: req.functionDeclarations }] } : {}),
    ...(req.thinkingConfig !== undefined ? { thinkingConfig: req.thinkingConfig } : {}),
    ...req.generation,
  };
}

/** A ModelClient over @google/genai with retries for rate limits, 5xx and network failures. */
export function createGeminiModelClient(options: GeminiModelClientOptions = {}): ModelClient {
  const env = options.env ?? process.env;
  const apiKey = nonEmpty(options.apiKey) ?? nonEmpty(env['GEMINI_API_KEY']) ?? nonEmpty(env['GOOGLE_API_KEY']);
  // Passed explicitly even when default, so the SDK never falls back to its own reading of process.env.
  const baseUrl = nonEmpty(options.baseUrl) ?? nonEmpty(env['GOOGLE_GEMINI_BASE_URL']) ?? DEFAULT_GEMINI_BASE_URL;
  const maxRetries = Math.max(0, options.retries ?? 3);
  const baseDelayMs = options.baseDelayMs ?? 1000;
  const maxDelayMs = options.maxDelayMs ?? 30_000;
  const maxServerDelayMs = options.maxServerDelayMs ?? 65_000;
  const sleep = options.sleep ?? defaultSleep;
  const random = options.random ?? Math.random;
  const newId = options.newCallId ?? newCallId;
  let genai: GoogleGenAI | undefined;

  const backoff = (retry: number, failure: ModelFailure): number => {
    if (failure.retryDelayMs !== undefined) return failure.retryDelayMs;
    const step = Math.min(maxDelayMs, baseDelayMs * 2 ** retry);
    // Equal jitter: never less than half the step, so clients that failed together spread out but still back off.
    return Math.round(step / 2 + (random() * step) / 2);
  };

  const stopReason = (failure: ModelFailure, streamed: boolean, retries: number): FailureContext['stop'] | undefined => {
    if (!failure.retryable) return 'not_retryable';
    if (streamed) return 'streamed';
    if (retries >= maxRetries) return 'exhausted';
    if ((failure.retryDelayMs ?? 0) > maxServerDelayMs) return 'wait_too_long';
    return undefined;
  };

  async function* stream(req: ModelRequest): AsyncGenerator<ModelEvent, void, undefined> {
    if (apiKey === undefined) throw missingKeyError();
    const signal = req.signal;
    // A function, not a property read: TypeScript would otherwise keep the narrowing from the first check.
    const aborted = (): boolean => signal?.aborted === true;
    if (aborted()) throw cancelledError(signal?.reason);
    genai ??= new GoogleGenAI({ apiKey, vertexai: false, httpOptions: { baseUrl } });

    for (let retries = 0; ; retries++) {
      const assembler = new TurnAssembler(newId);
      // One controller per attempt: aborted by the caller's signal, and by us when the consumer stops early.
      const attempt = new AbortController();
      const onAbort = (): void => attempt.abort(signal?.reason);
      signal?.addEventListener('abort', onAbort, { once: true });
      let streamed = false;
      let failure: ModelFailure;
      let cause: unknown;
      try {
        const chunks = await genai.models.generateContentStream({
          model: req.model,
          contents: req.contents,
          config: requestConfig(req, attempt.signal),
        });
        for await (const chunk of chunks) {
          for (const event of assembler.add(chunk)) {
            streamed = true;
            yield event;
          }
        }
        yield assembler.finish();
        return;
      } catch (err) {
        if (aborted()) throw cancelledError(err);
        failure = classifyFailure(err);
        cause = err;
      } finally {
        signal?.removeEventListener('abort', onAbort);
        attempt.abort();
      }

      const stop = stopReason(failure, streamed, retries);
      if (stop !== undefined) throw toModelError(failure, { retries, stop, endpoint: baseUrl }, cause);
      const delayMs = backoff(retries, failure);
      yield {
        type: 'retry',
        attempt: retries + 1,
        delayMs,
        kind: failure.kind,
        message: `${describeFailure(failure, baseUrl)}; retry ${retries + 1} of ${maxRetries} in ${formatDelay(delayMs)}`,
      };
      try {
        await sleep(delayMs, signal);
      } catch (err) {
        if (aborted()) throw cancelledError(err);
        throw err;
      }
      if (aborted()) throw cancelledError(signal?.reason);
    }
  }

  return { stream };
}
