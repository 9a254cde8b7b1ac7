import { assertNever } from '../../src/checks.js';
import { templateSpot } from '../../src/content/uri-template.js';
import { McpgwError } from '../../src/errors.js';
import type { ContentPart, PromptSummary, ResourceSummary, ResourceTemplateSummary } from '../../src/protocol/content.js';
import type { ChatClient } from './connection.js';
import type { ContentCommand } from './content-parse.js';
import type { Note } from './transcript.js';

/** What the content commands need of the chat. */
export interface ContentChat {
  client(): ChatClient;
  note(tone: Note['tone'], text: string, table?: Note['table']): void;
  /** Sends a message to the model, as typing it would. */
  send(text: string): Promise<void>;
  /** The open session and its servers, if any. */
  session(): { sessionId: string; servers: string[] } | undefined;
  content: ContentCache;
}

/**
 * What the chat has listed of the open session's servers: resources (with the cursor of the next page) and prompts,
 * templates and prompts, so `/attach URI` and `/prompt:NAME` can find their server, and tab can complete URIs and
 * prompt names.
 */
export class ContentCache {
  private sessionId: string | undefined;
  readonly resources = new Map<string, { items: ResourceSummary[]; next?: string }>();
  readonly templates = new Map<string, ResourceTemplateSummary[]>();
  readonly prompts = new Map<string, PromptSummary[]>();

  /** Empties the cache when another session is shown. */
  forSession(sessionId: string): this {
    if (sessionId !== this.sessionId) {
      this.sessionId = sessionId;
      this.resources.clear();
      this.templates.clear();
      this.prompts.clear();
    }
    return this;
  }

  /** The server whose listed resources hold `uri`. */
  serverOfResource(uri: string): string | undefined {
    for (const [server, list] of this.resources) if (list.items.some((r) => r.uri === uri)) return server;
    return undefined;
  }

  /** The servers with a listed template that `uri` fills in (all of it, or all but the end of its last value). */
  serversOfTemplate(uri: string): string[] {
    const fills = (template: string): boolean => {
      const spot = templateSpot(template, uri);
      return spot?.kind === 'whole' || (spot?.kind === 'variable' && spot.last && spot.after === '');
    };
    return [...this.templates].filter(([, list]) => list.some((t) => fills(t.uriTemplate))).map(([server]) => server);
  }

  /** The servers that list a prompt of that name. */
  serversOfPrompt(name: string): string[] {
    return [...this.prompts].filter(([, list]) => list.some((p) => p.name === name)).map(([server]) => server);
  }
}

const PREVIEW_LINES = 40;

/** Runs one content command; errors are the caller's to show. */
export async function runContentCommand(chat: ContentChat, command: ContentCommand): Promise<void> {
  const session = chat.session();
  if (!session) return chat.note('error', 'No session is open.');
  const { sessionId } = session;
  const cache = chat.content.forSession(sessionId);
  const client = chat.client();
  switch (command.name) {
    case 'resources':
      return listResources(chat, session, command.server, command.more);
    case 'prompts': {
      await loadPrompts(chat, session, command.server);
      const rows = [...cache.prompts].flatMap(([server, list]) =>
        list.map((p) => [server, p.name, p.arguments.map((a) => (a.required ? a.name : `[${a.name}]`)).join(' '), p.description ?? '']),
      );
      return chat.note('info', `Prompts (${rows.length}): use one with /prompt:NAME arg=value`, {
        headers: ['SERVER', 'PROMPT', 'ARGUMENTS', 'DESCRIPTION (the server’s)'],
        rows,
      });
    }
    case 'read': {
      const server = resourceServer(chat, session, command.server, command.uri);
      const read = await client.request('resources:read', { sessionId, server, uri: command.uri });
      return chat.note('info', `${server}: ${command.uri} (the server’s content)\n${preview(read.parts)}`);
    }
    case 'attach': {
      const server = resourceServer(chat, session, command.server, command.uri);
      const done = await client.request('context:attach', { sessionId, server, source: { kind: 'resource', uri: command.uri } });
      return chat.note(
        'success',
        `Attached ${done.what} from ${server} (${done.chars} characters${done.truncated ? ', cut' : ''}) to your next message.`,
      );
    }
    case 'subscribe': {
      const server = resourceServer(chat, session, command.server, command.uri);
      await client.request('resources:subscribe', { sessionId, server, uri: command.uri, subscribe: command.on });
      return chat.note(
        'success',
        command.on ? `Following ${command.uri} of ${server}: updates are shown here.` : `No longer following ${command.uri}.`,
      );
    }
    case 'prompt': {
      const server = await promptServer(chat, session, command.server, command.prompt);
      await client.request('context:attach', { sessionId, server, source: { kind: 'prompt', name: command.prompt, args: command.args } });
      return chat.send(command.text ?? `Follow the "${command.prompt}" prompt of ${server} that I attached.`);
    }
    case 'loglevel':
      await client.request('logging:setLevel', { sessionId, server: command.server, level: command.level });
      return;
    default:
      return assertNever(command);
  }
}

async function listResources(
  chat: ContentChat,
  session: { sessionId: string; servers: string[] },
  only: string | undefined,
  more: boolean,
) {
  const cache = chat.content;
  const client = chat.client();
  const servers = only ? [only] : session.servers;
  const rows: string[][] = [];
  let pending = 0;
  for (const server of servers) {
    const known = cache.resources.get(server);
    if (more && !known?.next) continue;
    const cursor = more ? known?.next : undefined;
    const page = await client.request('resources:list', { sessionId: session.sessionId, server, ...(cursor ? { cursor } : {}) });
    if (!page.supported) continue;
    const items = more ? [...(known?.items ?? []), ...page.items] : page.items;
    cache.resources.set(server, { items, ...(page.nextCursor ? { next: page.nextCursor } : {}) });
    if (page.nextCursor) pending++;
    rows.push(...page.items.map((r) => [server, r.name, r.mimeType ?? '', r.uri]));
    if (!more) {
      const templates = await client.request('resources:templates', { sessionId: session.sessionId, server });
      cache.templates.set(server, templates.items);
      rows.push(...templates.items.map((t) => [server, `${t.name} (template)`, t.mimeType ?? '', t.uriTemplate]));
    }
  }
  const tail = pending > 0 ? ' — more with /resources more' : '';
  chat.note('info', `Resources (${rows.length})${tail}: /read URI, /attach URI (tab completes URIs and template values)`, {
    // The URI last and whole where the terminal allows: it is what /read and /attach take.
    headers: ['SERVER', 'NAME', 'TYPE', 'URI'],
    rows,
  });
}

/** Lists the prompts of the session's servers (or one) into the cache. */
export async function loadPrompts(chat: ContentChat, session: { sessionId: string; servers: string[] }, only?: string): Promise<void> {
  const cache = chat.content.forSession(session.sessionId);
  await Promise.all(
    (only ? [only] : session.servers).map(async (server) => {
      const page = await chat.client().request('prompts:list', { sessionId: session.sessionId, server });
      if (page.supported) cache.prompts.set(server, page.items);
    }),
  );
}

function resourceServer(chat: ContentChat, session: { servers: string[] }, server: string | undefined, uri: string): string {
  const byTemplate = chat.content.serversOfTemplate(uri);
  const found =
    server ??
    chat.content.serverOfResource(uri) ??
    (byTemplate.length === 1 ? byTemplate[0] : undefined) ??
    (session.servers.length === 1 ? session.servers[0] : undefined);
  if (!found)
    throw new McpgwError(
      'bad_request',
      `which server's resource is ${uri}? Name it: /read SERVER URI (or list them first with /resources)`,
    );
  return found;
}

/** The server of a prompt: the one named, else the one that lists it (listing prompts first if needed). */
export async function promptServer(
  chat: ContentChat,
  session: { sessionId: string; servers: string[] },
  server: string | undefined,
  prompt: string,
): Promise<string> {
  if (server) return server;
  if (chat.content.serversOfPrompt(prompt).length === 0) await loadPrompts(chat, session);
  const servers = chat.content.serversOfPrompt(prompt);
  if (servers.length === 1 && servers[0]) return servers[0];
  if (servers.length === 0) throw new McpgwError('not_found', `no server of this session offers a prompt "${prompt}" (see /prompts)`);
  throw new McpgwError('bad_request', `several servers offer "${prompt}" (${servers.join(', ')}): write /prompt:SERVER/${prompt}`);
}

/** The first lines of a resource's parts, for the transcript. */
function preview(parts: readonly ContentPart[]): string {
  const text = parts
    .map((p) => (p.type === 'text' ? p.text : `[${p.mimeType ?? 'binary data'}, ${p.bytes} bytes: not shown]`))
    .join('\n')
    .split('\n');
  const shown = text.slice(0, PREVIEW_LINES).join('\n');
  return text.length > PREVIEW_LINES ? `${shown}\n[… ${text.length - PREVIEW_LINES} more lines]` : shown;
}
