/**
 * Bounds what a server returns for resources, prompts and completion before it reaches a client or the model. A
 * server chooses every string here: names, descriptions and URIs are cut to a length, lists to a count, text to
 * a number of characters; binary data never leaves mcpd (clients are told its type and size).
 */
import type {
  CompletionView,
  ContentPart,
  PromptSummary,
  PromptView,
  ResourceSummary,
  ResourceTemplateSummary,
} from '../../src/protocol/content.js';
import { truncateMiddle } from '../../src/text/truncate.js';

export const CONTENT_LIMITS = {
  /** Items of one page a client is shown. */
  pageItems: 500,
  /** Names, titles, URIs, MIME types. */
  nameChars: 512,
  descriptionChars: 2000,
  /** Text of one resource or prompt a client is shown. */
  textChars: 200_000,
  /** Parts of one resource or prompt message. */
  parts: 50,
  /** Messages of one prompt. */
  messages: 50,
  /** The spec's own cap on completion values. */
  completionValues: 100,
  completionChars: 1024,
  promptArguments: 50,
} as const;

type Loose = Record<string, unknown>;

const str = (v: unknown, max: number): string => (typeof v === 'string' ? v : '').slice(0, max);
const opt = (v: unknown, max: number): string | undefined => (typeof v === 'string' && v !== '' ? v.slice(0, max) : undefined);
/** Keeps only the keys that have a value (exactOptionalPropertyTypes: no `key: undefined`). */
const defined = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

/** One listed resource, bounded. */
export function resourceSummary(r: Loose): ResourceSummary {
  const { nameChars: n, descriptionChars: d } = CONTENT_LIMITS;
  return defined({
    uri: str(r.uri, n),
    name: str(r.name, n),
    title: opt(r.title, n),
    description: opt(r.description, d),
    mimeType: opt(r.mimeType, n),
    size: typeof r.size === 'number' && Number.isFinite(r.size) ? r.size : undefined,
  });
}

/** One listed resource template, bounded. */
export function templateSummary(t: Loose): ResourceTemplateSummary {
  const { nameChars: n, descriptionChars: d } = CONTENT_LIMITS;
  return defined({
    uriTemplate: str(t.uriTemplate, n),
    name: str(t.name, n),
    title: opt(t.title, n),
    description: opt(t.description, d),
    mimeType: opt(t.mimeType, n),
  });
}

/** One listed prompt with its arguments, bounded. */
export function promptSummary(p: Loose): PromptSummary {
  const { nameChars: n, descriptionChars: d } = CONTENT_LIMITS;
  const args = Array.isArray(p.arguments) ? (p.arguments as Loose[]).slice(0, CONTENT_LIMITS.promptArguments) : [];
  return defined({
    name: str(p.name, n),
    title: opt(p.title, n),
    description: opt(p.description, d),
    arguments: args.map((a) => defined({ name: str(a.name, n), description: opt(a.description, d), required: a.required === true })),
  });
}

/** A page of a list: at most `pageItems`, each shaped by `shape`. */
export function page<T>(items: unknown, shape: (item: Loose) => T): T[] {
  return (Array.isArray(items) ? (items as Loose[]) : []).slice(0, CONTENT_LIMITS.pageItems).map(shape);
}

/** The decoded size of base64 data, without decoding it. */
export function base64Bytes(data: unknown): number {
  if (typeof data !== 'string') return 0;
  const pad = data.endsWith('==') ? 2 : data.endsWith('=') ? 1 : 0;
  return Math.max(0, Math.floor((data.length * 3) / 4) - pad);
}

/** One resource's contents entry (`text` or `blob`) as a client part. */
export function resourcePart(c: Loose, maxChars: number = CONTENT_LIMITS.textChars): ContentPart {
  const { nameChars: n } = CONTENT_LIMITS;
  const meta = defined({ uri: opt(c.uri, n), mimeType: opt(c.mimeType, n) });
  if (typeof c.text === 'string') {
    const cut = truncateMiddle(c.text, maxChars);
    return { type: 'text', ...meta, text: cut.text, truncated: cut.truncated };
  }
  return { type: 'binary', ...meta, bytes: base64Bytes(c.blob) };
}

/** The parts of a resources/read result. */
export function resourceParts(contents: unknown): ContentPart[] {
  return (Array.isArray(contents) ? (contents as Loose[]) : []).slice(0, CONTENT_LIMITS.parts).map((c) => resourcePart(c));
}

/** A content block of a prompt message (text, image, audio, embedded resource, resource link) as a client part. */
export function blockPart(block: Loose): ContentPart {
  const { nameChars: n } = CONTENT_LIMITS;
  switch (block.type) {
    case 'text':
      return resourcePart({ text: block.text });
    case 'resource':
      return resourcePart((block.resource ?? {}) as Loose);
    case 'resource_link': {
      const text = `[resource link ${str(block.uri, n)}${block.name ? ` (${str(block.name, n)})` : ''}]`;
      return { type: 'text', ...defined({ uri: opt(block.uri, n) }), text, truncated: false };
    }
    default:
      return { type: 'binary', ...defined({ mimeType: opt(block.mimeType, n) }), bytes: base64Bytes(block.data) };
  }
}

/** A prompts/get result, bounded. */
export function promptView(server: string, name: string, result: Loose): PromptView {
  const messages = (Array.isArray(result.messages) ? (result.messages as Loose[]) : []).slice(0, CONTENT_LIMITS.messages);
  return defined({
    server,
    name,
    description: opt(result.description, CONTENT_LIMITS.descriptionChars),
    messages: messages.map((m) => ({
      role: m.role === 'assistant' ? ('assistant' as const) : ('user' as const),
      parts: (Array.isArray(m.content) ? (m.content as Loose[]) : [(m.content ?? {}) as Loose])
        .slice(0, CONTENT_LIMITS.parts)
        .map(blockPart),
    })),
  });
}

/** A completion/complete result, bounded: at most 100 values (the spec's own cap), each one line. */
export function completionView(result: Loose): CompletionView {
  const c = (result.completion ?? {}) as Loose;
  const values = (Array.isArray(c.values) ? c.values : [])
    .filter((v): v is string => typeof v === 'string')
    .slice(0, CONTENT_LIMITS.completionValues)
    .map((v) => v.slice(0, CONTENT_LIMITS.completionChars));
  return defined({
    values,
    total: typeof c.total === 'number' && Number.isFinite(c.total) ? c.total : undefined,
    hasMore: c.hasMore === true || (Array.isArray(c.values) && c.values.length > values.length),
  });
}

/** The text of parts as the model reads it: text verbatim, binary data named with its size. */
export function partsText(parts: readonly ContentPart[]): string {
  return parts
    .map((p) => (p.type === 'text' ? p.text : `[binary ${p.mimeType ?? 'data'}${p.uri ? ` ${p.uri}` : ''}, ${p.bytes} bytes, not shown]`))
    .join('\n');
}
