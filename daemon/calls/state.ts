import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { McpgwError } from '../../src/errors.js';
import type { Verdict } from '../../src/policy/index.js';
import type { Decider } from '../../src/protocol/events.js';

/** How a call was decided: approved or denied, by whom, for this call or the rest of the session. */
export interface CallDecision {
  decision: 'approve' | 'deny';
  scope: 'once' | 'session';
  by: Decider;
  reason?: string;
  /** The question a person answered, when one was asked. */
  questionId?: string;
}

/**
 * Where one tool call is. A call the model proposes is decided by the policy; one the policy asks about waits for
 * a human; an approved call runs; every call ends in exactly one terminal state, and the model is told about it
 * (see reply.ts). A call a user makes directly is decided by that user and runs at once.
 *
 *   proposed ─▶ decided ─▶ awaiting_human ─▶ running ─▶ succeeded | failed | cancelled
 *        │          │            └────────▶ denied | expired | cancelled
 *        │          └─▶ running | denied
 *        └─▶ running (a direct call)
 */
export type CallState =
  | { status: 'proposed' }
  | { status: 'decided'; verdict: Verdict }
  | { status: 'awaiting_human'; verdict: Verdict; questionId: string; expiresAt: number }
  | { status: 'running'; decision: CallDecision; startedAt: number }
  /** The tool answered; `result.isError` marks an error the tool itself reported, which is still its answer. */
  | { status: 'succeeded'; decision: CallDecision; result: CallToolResult; text: string; durationMs: number }
  /** mcpgw got no answer from the tool: its sandbox failed to start, crashed, ran out of memory or time. */
  | { status: 'failed'; decision: CallDecision; error: McpgwError; durationMs: number }
  | { status: 'denied'; decision: CallDecision }
  | { status: 'expired'; decision: CallDecision }
  | { status: 'cancelled'; reason: string };

export type CallStatus = CallState['status'];

export type TerminalState = Extract<CallState, { status: 'succeeded' | 'failed' | 'denied' | 'expired' | 'cancelled' }>;

const NEXT: { readonly [S in CallStatus]: readonly CallStatus[] } = {
  proposed: ['decided', 'running'],
  decided: ['awaiting_human', 'running', 'denied'],
  awaiting_human: ['running', 'denied', 'expired', 'cancelled'],
  running: ['succeeded', 'failed', 'cancelled'],
  succeeded: [],
  failed: [],
  denied: [],
  expired: [],
  cancelled: [],
};

/** True when a call may move from `from` to `to`. */
export function canMove(from: CallStatus, to: CallStatus): boolean {
  return NEXT[from].includes(to);
}

/** True for the states a call ends in. */
export function isTerminal(state: CallState): state is TerminalState {
  return NEXT[state.status].length === 0;
}
