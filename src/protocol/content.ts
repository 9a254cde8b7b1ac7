import { z } from 'zod';
import { LOG_LEVELS } from './log-levels.js';

export { LOG_LEVELS, type LogLevel } from './log-levels.js';

/**
 * What a session's servers offer besides tools: resources, resource templates, prompts, argument completion and
 * their log level. Every request names one server of a session the caller owns; every reply is bounded by mcpd
 * (see daemon/content) and holds text a server chose, so clients show it as untrusted.
 */

const sessionId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'not a session id');
const server = z
  .string()
  .regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]|_(?!_))*$/, 'not a server name')
  .max(64);
/** Cursors are opaque to clients; a server's own are bounded so a client cannot be made to echo megabytes. */
const cursor = z.string().max(4096);
const uri = z.string().min(1).max(4096);
const promptName = z.string().min(1).max(256);
const promptArgs = z.record(z.string().max(256), z.string().max(16_384)).default({});

export const contentListSchema = z.strictObject({ sessionId, server, cursor: cursor.optional() });

export const resourceReadSchema = z.strictObject({ sessionId, server, uri });

export const resourceSubscribeSchema = z.strictObject({ sessionId, server, uri, subscribe: z.boolean().default(true) });

export const promptGetSchema = z.strictObject({ sessionId, server, name: promptName, args: promptArgs });

export const completeSchema = z.strictObject({
  sessionId,
  server,
  ref: z.discriminatedUnion('type', [
    z.strictObject({ type: z.literal('prompt'), name: promptName }),
    z.strictObject({ type: z.literal('resource'), uri }),
  ]),
  argument: z.strictObject({ name: z.string().min(1).max(256), value: z.string().max(4096) }),
  /** Arguments already filled in: a server may complete one argument from another. */
  context: promptArgs.optional(),
});

/** What to put before the model with the next message: a resource of a server, or a prompt's messages. */
export const contextAttachSchema = z.strictObject({
  sessionId,
  server,
  source: z.discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('resource'), uri }),
    z.strictObject({ kind: z.literal('prompt'), name: promptName, args: promptArgs }),
  ]),
});

export const logLevelSchema = z.strictObject({ sessionId, server, level: z.enum(LOG_LEVELS) });

export type ContentListRequest = z.input<typeof contentListSchema>;
export type ResourceReadRequest = z.input<typeof resourceReadSchema>;
export type ResourceSubscribeRequest = z.input<typeof resourceSubscribeSchema>;
export type PromptGetRequest = z.input<typeof promptGetSchema>;
export type CompleteRequest = z.input<typeof completeSchema>;
export type ContextAttachRequest = z.input<typeof contextAttachSchema>;
export type LogLevelRequest = z.input<typeof logLevelSchema>;

/** The content requests, by event name (merged into REQUEST_SCHEMAS). */
export const CONTENT_REQUEST_SCHEMAS = {
  'resources:list': contentListSchema,
  'resources:templates': contentListSchema,
  'resources:read': resourceReadSchema,
  'resources:subscribe': resourceSubscribeSchema,
  'prompts:list': contentListSchema,
  'prompts:get': promptGetSchema,
  'completion:complete': completeSchema,
  'context:attach': contextAttachSchema,
  'logging:setLevel': logLevelSchema,
} as const;

/** One resource a server lists (names and descriptions cut to a bound). */
export interface ResourceSummary {
  uri: string;
  name: string;
  title?: string;
  description?: string;
  mimeType?: string;
  size?: number;
}

export interface ResourceTemplateSummary {
  uriTemplate: string;
  name: string;
  title?: string;
  description?: string;
  mimeType?: string;
}

export interface PromptArgumentSummary {
  name: string;
  description?: string;
  required: boolean;
}

export interface PromptSummary {
  name: string;
  title?: string;
  description?: string;
  arguments: PromptArgumentSummary[];
}

/** A page of a server's list; `supported: false` when the server does not offer this feature at all. */
export interface ContentPage<T> {
  server: string;
  supported: boolean;
  items: T[];
  nextCursor?: string;
}

/** One part of a resource or a prompt message as a client sees it: text (cut), or what binary data there was. */
export type ContentPart =
  | { type: 'text'; uri?: string; mimeType?: string; text: string; truncated: boolean }
  | { type: 'binary'; uri?: string; mimeType?: string; bytes: number };

export interface ResourceContents {
  server: string;
  uri: string;
  parts: ContentPart[];
}

export interface PromptView {
  server: string;
  name: string;
  description?: string;
  messages: Array<{ role: 'user' | 'assistant'; parts: ContentPart[] }>;
}

export interface CompletionView {
  values: string[];
  total?: number;
  hasMore: boolean;
}

/** What was queued for the model's next message. */
export interface AttachedContext {
  server: string;
  /** The resource URI or the prompt name. */
  what: string;
  chars: number;
  truncated: boolean;
}

/** What a server told the session changed: a list (re-read it), or one subscribed resource. */
export type ContentChange = { what: 'resources' } | { what: 'prompts' } | { what: 'resource'; uri: string };
