import { z } from 'zod';
import { elicitContentSchema, type ElicitField } from '../elicitation/fields.js';
import type { ElicitUrl } from '../elicitation/url.js';

/**
 * A server asks the session's humans for input (MCP `elicitation/create`): fill a form, or open a URL. The message
 * and every title are the server's words: clients show them as untrusted text, always with the server's name.
 */
export type ElicitationAsk = { kind: 'elicitation'; message: string } & (
  { mode: 'form'; fields: ElicitField[] } | { mode: 'url'; url: ElicitUrl; elicitationId: string }
);

/** accept (with the form's content), decline (an explicit no) or cancel (dismissed; also what silence means). */
export const elicitationAnswerSchema = z.strictObject({
  kind: z.literal('elicitation'),
  action: z.enum(['accept', 'decline', 'cancel']),
  content: elicitContentSchema.optional(),
});

export type ElicitationAction = z.infer<typeof elicitationAnswerSchema>['action'];
