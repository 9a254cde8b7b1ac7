import type { Content, FunctionCall, FunctionDeclaration, ThinkingConfig } from '@google/genai';

/** One model turn to generate: the whole history so far plus the tools the model may call. */
export interface ModelRequest {
  model: string;
  systemInstruction?: string;
  /** The conversation, oldest first; model turns exactly as a previous `done.content` returned them. */
  contents: Content[];
  /** Declarations with `parametersJsonSchema`; an empty list sends no `tools` at all. */
  functionDeclarations: FunctionDeclaration[];
  /** E.g. `{ includeThoughts: true }` to receive `thought` events. */
  thinkingConfig?: ThinkingConfig;
  /** Limits on the answer (a server's sampling request sets them; the agent loop leaves them to the model). */
  generation?: { maxOutputTokens?: number; temperature?: number; stopSequences?: string[] };
  signal?: AbortSignal;
}

/** A function call that can be answered: the id is always set (generated when the API sent none). */
export type ModelFunctionCall = FunctionCall & { id: string; name: string; args: Record<string, unknown> };

export interface ModelUsage {
  promptTokens: number;
  outputTokens: number;
  thoughtsTokens: number;
  cachedTokens: number;
  totalTokens: number;
}

export type ModelErrorKind = 'missing_key' | 'auth' | 'rate_limited' | 'server' | 'network' | 'bad_request' | 'cancelled';

export type ModelEvent =
  /** A text delta, as it streams in. */
  | { type: 'text'; text: string }
  /** A thought-summary delta (only when the request asked for thoughts). */
  | { type: 'thought'; text: string }
  /**
   * The attempt failed before anything was streamed and will be retried after `delayMs`. Nothing of the failed
   * attempt reaches the caller, so a consumer may simply show this as a status line.
   */
  | { type: 'retry'; attempt: number; delayMs: number; kind: ModelErrorKind; message: string }
  /** The turn is complete. */
  | {
      type: 'done';
      /**
       * The model turn as history must keep it (role 'model'): adjacent text merged, thought signatures on the parts
       * they came with, every function call with its id.
       */
      content: Content;
      /** The calls in `content`, in order; each must get exactly one functionResponse with the same id. */
      functionCalls: ModelFunctionCall[];
      finishReason?: string;
      /** Set when the prompt itself was blocked and no candidate came back. */
      blockReason?: string;
      usage?: ModelUsage;
      modelVersion?: string;
    };

/** The agent loop's view of the model: one streamed turn per call. Errors are McpgwError('model_error' | 'cancelled'). */
export interface ModelClient {
  stream(request: ModelRequest): AsyncIterable<ModelEvent>;
}
