import { z } from 'zod';
import { elicitationAnswerSchema, type ElicitationAsk } from './elicitation.js';
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

/**
 * Whether a sandbox on an egress allowlist may reach a name it is not allowed (it asked, and was refused at once).
 * `host` is the gateway's normalised name (lower-case ASCII), `port` absent when only a lookup was seen.
 */
export interface NetworkGrantAsk {
  kind: 'network_grant';
  host: string;
  port?: number;
  /** How the name was asked for: a DNS lookup, TLS SNI, an HTTP Host header, the proxy. */
  via: string;
  /** Why it was refused, for people ("not in the allowlist"). */
  reason: string;
}

/** What a question asks, by kind. */
export type QuestionAsk = ToolApprovalAsk | NetworkGrantAsk | ElicitationAsk | SamplingAsk;

export type QuestionKind = QuestionAsk['kind'];

export const toolApprovalAnswerSchema = z.strictObject({
  kind: z.literal('tool_approval'),
  decision: z.enum(['approve', 'deny']),
  /** "session": approve this tool for the rest of the session (an approval only). */
  scope: z.enum(['once', 'session']).default('once'),
  reason: z.string().max(2000).optional(),
});

/** once: until the call it serves ends; session: the rest of this session (this server only); deny: not now. */
export const networkGrantAnswerSchema = z.strictObject({
  kind: z.literal('network_grant'),
  decision: z.enum(['once', 'session', 'deny']),
  reason: z.string().max(2000).optional(),
});

/** Every kind's answer, told apart by `kind`. */
export const questionAnswerSchema = z.discriminatedUnion('kind', [
  toolApprovalAnswerSchema,
  networkGrantAnswerSchema,
  elicitationAnswerSchema,
  samplingAnswerSchema,
]);

/** An answer as a client sends it (defaults may be left out). */
export type QuestionAnswerInput = z.input<typeof questionAnswerSchema>;

/** An answer as the daemon records and announces it. */
export type QuestionAnswer = z.output<typeof questionAnswerSchema>;

export type ToolApprovalAnswer = Extract<QuestionAnswer, { kind: 'tool_approval' }>;

export type NetworkGrantAnswer = Extract<QuestionAnswer, { kind: 'network_grant' }>;
export type ElicitationAnswer = Extract<QuestionAnswer, { kind: 'elicitation' }>;
