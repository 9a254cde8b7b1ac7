import { z } from 'zod';

/**
 * The `sampling` question: a server asked the model to write something (MCP `sampling/createMessage`). A person is
 * asked twice, as the spec wants a human in the loop: `phase: 'request'` before anything reaches the model, and
 * `phase: 'result'` before the model's answer goes back to the server. Everything in `request` and `result` came
 * from the server or the model: clients render it as untrusted text.
 */

/** One part of a message as a person sees it: text in full, media as type and size only (never decoded). */
export type SamplingPartView =
  { type: 'text'; text: string } | { type: 'image' | 'audio'; mimeType: string; bytes: number } | { type: 'other'; what: string };

export interface SamplingMessageView {
  role: 'user' | 'assistant';
  parts: SamplingPartView[];
}

/** What the server asked for, field by field. */
export interface SamplingRequestView {
  messages: SamplingMessageView[];
  systemPrompt?: string;
  maxTokens: number;
  temperature?: number;
  stopSequences?: string[];
  /** The server's model hints and priorities: shown, never obeyed (the session's model answers). */
  modelPreferences?: { hints: string[]; costPriority?: number; speedPriority?: number; intelligencePriority?: number };
  /** What context the server asked to include: mcpgw never adds any, whatever this says. */
  includeContext?: string;
  /** Names of tools the server offered the model: mcpgw gives sampled requests no tools. */
  tools?: string[];
}

/** The model's answer as it would go back to the server. */
export interface SamplingResultView {
  text: string;
  model: string;
  stopReason: string;
  /** Tokens this request used (prompt and answer), as Gemini counted them. */
  tokens: number;
  /** The answer was cut to what can be shown; the server gets exactly what is shown. */
  truncated?: boolean;
}

export interface SamplingAsk {
  kind: 'sampling';
  phase: 'request' | 'result';
  request: SamplingRequestView;
  /** The model that answers: the session's. */
  model: string;
  /** Why a person is asked (no policy allows it, or it is over the policy's budget). */
  decisionReason: string;
  /** Sampling tokens this server used in this session so far, and the policy's budget when one applies. */
  budget?: { used: number; max?: number };
  /** Set in phase `result`. */
  result?: SamplingResultView;
}

export const samplingAnswerSchema = z.strictObject({
  kind: z.literal('sampling'),
  decision: z.enum(['approve', 'deny']),
  reason: z.string().max(2000).optional(),
});

export type SamplingAnswer = z.output<typeof samplingAnswerSchema>;
