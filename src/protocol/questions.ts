import { z } from 'zod';
import { samplingAnswerSchema, type SamplingAsk } from './sampling.js';

/**
 * Questions for a human. A question is asked about a subject, waits in the daemon (and in Redis) until the first
 * answer, its expiry, or the end of whatever asked it, and is answered from any client of the session's owner.
 * Each kind is one case of `QuestionAsk` and one of `QuestionAnswer`: a new kind (an elicitation form, a network
 * grant…) is a new case here, in the daemon's `questions/kinds.ts` and in each client's renderer, not a new path.
 */

export type { CallSubject, QuestionSubject, ServerSubject } from './subjects.js';

/** Whether a tool call may run: its arguments, the server's (unverified) claims, and why the policy asks. */
export interface ToolApprovalAsk {
  kind: 'tool_approval';
  args: Record<string, unknown>;
  /** The server's claims about the tool (readOnlyHint etc.), shown as claims, not facts. */
  annotations: Record<string, unknown>;
  decisionReason: string;
  /**
   * Set when the server changed the tool since this session pinned it (a possible "rug pull"): which of its name,
   * description, inputSchema and annotations differ, and a line diff of them (server text, made inert, capped).
   */
  changed?: { fields: string[]; diff: string };
}

/** What a question asks, by kind. */
export type QuestionAsk = ToolApprovalAsk | SamplingAsk;

export type QuestionKind = QuestionAsk['kind'];

export const toolApprovalAnswerSchema = z.strictObject({
  kind: z.literal('tool_approval'),
  decision: z.enum(['approve', 'deny']),
  /** "session": approve this tool for the rest of the session (an approval only). */
  scope: z.enum(['once', 'session']).default('once'),
  reason: z.string().max(2000).optional(),
});

/** Every kind's answer, told apart by `kind`. */
export const questionAnswerSchema = z.discriminatedUnion('kind', [toolApprovalAnswerSchema, samplingAnswerSchema]);

/** An answer as a client sends it (defaults may be left out). */
export type QuestionAnswerInput = z.input<typeof questionAnswerSchema>;

/** An answer as the daemon records and announces it. */
export type QuestionAnswer = z.output<typeof questionAnswerSchema>;

export type ToolApprovalAnswer = Extract<QuestionAnswer, { kind: 'tool_approval' }>;
