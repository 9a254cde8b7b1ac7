import { z } from 'zod';
import { CONTENT_REQUEST_SCHEMAS } from './content.js';
import { questionAnswerSchema } from './questions.js';

/** Session ids are short random strings; clients may give a unique prefix. */
export const sessionIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'not a session id');
const serverName = z
  .string()
  .regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]|_(?!_))*$/, 'not a server name')
  .max(64);

export const sessionCreateSchema = z.strictObject({
  servers: z.array(serverName).max(64).optional(),
  /** A policy preset name, or a policy document (YAML/JSON text) the client read from a file. */
  policy: z
    .union([
      z.strictObject({ preset: z.string().max(64) }),
      z.strictObject({ name: z.string().max(256), text: z.string().max(256 * 1024) }),
    ])
    .optional(),
  model: z.string().max(128).optional(),
  title: z.string().max(200).optional(),
});

export const sessionAttachSchema = z.strictObject({
  sessionId: sessionIdSchema,
  /** Replay events after this seq (0 or absent: the whole log). */
  sinceSeq: z.number().int().min(0).optional(),
});

export const sessionIdRequestSchema = z.strictObject({ sessionId: sessionIdSchema });

export const emptyRequestSchema = z
  .strictObject({})
  .optional()
  .transform((v) => v ?? {});

export const messageSchema = z.strictObject({
  sessionId: sessionIdSchema,
  text: z.string().min(1).max(100_000),
  /** For unattended runs: a call the policy says to ask about is denied (the model is told why) instead of waiting. */
  headless: z.boolean().default(false),
});

export const questionAnswerRequestSchema = z.strictObject({
  questionId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
  answer: questionAnswerSchema,
});

export const agentCancelSchema = z.strictObject({ sessionId: sessionIdSchema });

export const toolsListSchema = z.strictObject({
  sessionId: sessionIdSchema,
  servers: z.array(serverName).max(64).optional(),
});

export const toolCallSchema = z.strictObject({
  sessionId: sessionIdSchema,
  server: serverName,
  tool: z.string().min(1).max(256),
  args: z.record(z.string(), z.unknown()).default({}),
});

/** An image or clip of a call's result that mcpd holds (`held` in its item), by the item's index in the result. */
export const toolMediaSchema = z.strictObject({
  sessionId: sessionIdSchema,
  callId: z.string().min(1).max(200),
  item: z.number().int().min(0).max(1000),
});

export const auditListSchema = z.strictObject({
  sessionId: sessionIdSchema.optional(),
  count: z.number().int().min(1).max(10_000).default(200),
});

export type SessionCreateRequest = z.input<typeof sessionCreateSchema>;
export type SessionAttachRequest = z.input<typeof sessionAttachSchema>;
export type SessionIdRequest = z.input<typeof sessionIdRequestSchema>;
export type MessageRequest = z.input<typeof messageSchema>;
export type QuestionAnswerRequest = z.input<typeof questionAnswerRequestSchema>;
export type AgentCancelRequest = z.input<typeof agentCancelSchema>;
export type ToolsListRequest = z.input<typeof toolsListSchema>;
export type ToolCallRequest = z.input<typeof toolCallSchema>;
export type AuditListRequest = z.input<typeof auditListSchema>;
export type ToolMediaRequest = z.input<typeof toolMediaSchema>;

/** The schema that validates each request, by event name. */
export const REQUEST_SCHEMAS = {
  'session:create': sessionCreateSchema,
  'session:attach': sessionAttachSchema,
  'session:detach': sessionIdRequestSchema,
  'session:list': emptyRequestSchema,
  'session:get': sessionIdRequestSchema,
  'session:kill': sessionIdRequestSchema,
  message: messageSchema,
  'question:answer': questionAnswerRequestSchema,
  'agent:cancel': agentCancelSchema,
  'servers:list': emptyRequestSchema,
  'tools:list': toolsListSchema,
  'tools:call': toolCallSchema,
  'tools:pins': sessionIdRequestSchema,
  'tools:media': toolMediaSchema,
  'daemon:status': emptyRequestSchema,
  'audit:list': auditListSchema,
  'web:code': emptyRequestSchema,
  ...CONTENT_REQUEST_SCHEMAS,
} as const;
