import type { ServerCapabilities } from '@modelcontextprotocol/sdk/types.js';
import type {
  AttachedContext,
  CompletionView,
  ContentPage,
  ContextAttachRequest,
  LogLevel,
  PromptSummary,
  PromptView,
  ResourceContents,
  ResourceSummary,
  ResourceTemplateSummary,
  CompleteRequest,
} from '../../src/protocol/content.js';
import { McpgwError } from '../../src/errors.js';
import type { Sandbox } from '../sandbox/sandbox.js';
import type { EventSink } from '../sessions/event-log.js';
import { notice } from '../sessions/notices.js';
import type { HistoryStore, SessionRecord, SubscriptionStore } from '../store/ports.js';
import { forModel } from './model-text.js';
import { MAX_SUBSCRIPTIONS, Subscriptions } from './subscriptions.js';
import { completionView, page, promptSummary, promptView, resourceParts, resourceSummary, templateSummary } from './shape.js';

/** What the content requests need of a sandbox. */
export type ContentHost = Pick<Sandbox, 'ask' | 'capabilities'>;

export interface ContentDeps {
  /** The session's sandbox for a server (the session service: it checks the session uses that server). */
  sandboxes: { sandbox(rec: SessionRecord, server: string): Promise<ContentHost> };
  /** The session's ready sandbox for a server, if there is one now (never starts one). */
  live?: (sessionId: string, server: string) => ContentHost | undefined;
  notes: Pick<HistoryStore, 'pushNote'>;
  /** Where the session's subscriptions are kept (Redis: they outlive a restart of mcpd). */
  follows: SubscriptionStore;
  events: EventSink;
  /** What the model reads of an attached resource or prompt is cut to this, like tool output. */
  modelChars: number;
}

type Feature = keyof Pick<ServerCapabilities, 'resources' | 'prompts' | 'completions' | 'logging'>;

/**
 * Resources, prompts, completion and log level of a session's servers, for its clients and its model. Ownership is
 * checked by the caller (the API routes); which server a session may ask by the session service.
 */
export class ServerContent {
  private readonly subscriptions: Subscriptions;

  constructor(private readonly deps: ContentDeps) {
    this.subscriptions = new Subscriptions(deps.follows);
  }

  /** A page of a server's resources (`supported: false` when it offers none). */
  async listResources(rec: SessionRecord, server: string, cursor?: string): Promise<ContentPage<ResourceSummary>> {
    const host = await this.deps.sandboxes.sandbox(rec, server);
    if (!host.capabilities.resources) return { server, supported: false, items: [] };
    const r = await host.ask('resources/list', (c, o) => c.listResources(cursor === undefined ? {} : { cursor }, o));
    return withCursor({ server, supported: true, items: page(r.resources, resourceSummary) }, r.nextCursor);
  }

  /** A page of a server's resource templates. */
  async listTemplates(rec: SessionRecord, server: string, cursor?: string): Promise<ContentPage<ResourceTemplateSummary>> {
    const host = await this.deps.sandboxes.sandbox(rec, server);
    if (!host.capabilities.resources) return { server, supported: false, items: [] };
    const r = await host.ask('resources/templates/list', (c, o) => c.listResourceTemplates(cursor === undefined ? {} : { cursor }, o));
    return withCursor({ server, supported: true, items: page(r.resourceTemplates, templateSummary) }, r.nextCursor);
  }

  /** A page of a server's prompts. */
  async listPrompts(rec: SessionRecord, server: string, cursor?: string): Promise<ContentPage<PromptSummary>> {
    const host = await this.deps.sandboxes.sandbox(rec, server);
    if (!host.capabilities.prompts) return { server, supported: false, items: [] };
    const r = await host.ask('prompts/list', (c, o) => c.listPrompts(cursor === undefined ? {} : { cursor }, o));
    return withCursor({ server, supported: true, items: page(r.prompts, promptSummary) }, r.nextCursor);
  }

  /** Reads one resource (text cut, binary data described, not sent). */
  async read(rec: SessionRecord, server: string, uri: string): Promise<ResourceContents> {
    const host = await this.host(rec, server, 'resources');
    const r = await host.ask(`resources/read ${uri.slice(0, 200)}`, (c, o) => c.readResource({ uri }, o));
    return { server, uri, parts: resourceParts(r.contents) };
  }

  /** Subscribes to a resource's updates (they reach the session as `server:changed`), or unsubscribes. */
  async subscribe(rec: SessionRecord, server: string, uri: string, on: boolean): Promise<{ subscribed: boolean }> {
    const host = await this.host(rec, server, 'resources');
    if (!host.capabilities.resources?.subscribe) throw unsupported(server, 'resource subscriptions');
    const followed = await this.subscriptions.of(rec.id, server);
    if (on && !followed.includes(uri) && followed.length >= MAX_SUBSCRIPTIONS) {
      throw new McpgwError('capacity', `this session already follows ${MAX_SUBSCRIPTIONS} resources of "${server}"; unsubscribe one first`);
    }
    if (on) await host.ask('resources/subscribe', (c, o) => c.subscribeResource({ uri }, o));
    else await host.ask('resources/unsubscribe', (c, o) => c.unsubscribeResource({ uri }, o));
    await this.subscriptions.set(rec.id, server, uri, on);
    return { subscribed: on };
  }

  /** Gets a prompt with its arguments filled in. */
  async getPrompt(rec: SessionRecord, server: string, name: string, args: Record<string, string>): Promise<PromptView> {
    const host = await this.host(rec, server, 'prompts');
    const r = await host.ask(`prompts/get ${name.slice(0, 200)}`, (c, o) => c.getPrompt({ name, arguments: args }, o));
    return promptView(server, name, r);
  }

  /** Suggestions for one argument of a prompt or a resource template. */
  async complete(rec: SessionRecord, request: Omit<CompleteRequest, 'sessionId'>): Promise<CompletionView> {
    const { server, ref, argument, context } = request;
    const host = await this.host(rec, server, 'completions');
    const mcpRef =
      ref.type === 'prompt' ? { type: 'ref/prompt' as const, name: ref.name } : { type: 'ref/resource' as const, uri: ref.uri };
    const r = await host.ask('completion/complete', (c, o) =>
      c.complete({ ref: mcpRef, argument, ...(context ? { context: { arguments: context } } : {}) }, o),
    );
    return completionView(r);
  }

  /** Sets the lowest level of log messages the server sends (they reach the session's console, within its budget). */
  async setLogLevel(rec: SessionRecord, server: string, level: LogLevel): Promise<null> {
    const host = await this.host(rec, server, 'logging');
    await host.ask('logging/setLevel', (c, o) => c.setLoggingLevel(level, o));
    await notice(this.deps.events, rec.id, server, `log level of "${server}" set to ${level}`);
    return null;
  }

  /**
   * Reads a resource or gets a prompt here in mcpd (a client cannot make up what a server said) and queues it for
   * the model's next message: cut like tool output and framed as the server's data, not the user's words.
   */
  async attach(rec: SessionRecord, request: Omit<ContextAttachRequest, 'sessionId'>): Promise<AttachedContext> {
    const { server, source } = request;
    let framed: ReturnType<typeof forModel>;
    let what: string;
    if (source.kind === 'resource') {
      const contents = await this.read(rec, server, source.uri);
      what = source.uri;
      framed = forModel({ server, label: `resource ${JSON.stringify(source.uri)}`, body: [contents.parts] }, this.deps.modelChars);
    } else {
      const prompt = await this.getPrompt(rec, server, source.name, source.args ?? {});
      what = source.name;
      const label = `prompt ${JSON.stringify(source.name)}`;
      framed = forModel(
        { server, label, body: prompt.messages.map((m) => m.parts), roles: prompt.messages.map((m) => m.role) },
        this.deps.modelChars,
      );
    }
    await this.deps.notes.pushNote(rec.id, framed.text);
    const cut = framed.truncated ? `, cut to ${this.deps.modelChars}` : '';
    await notice(
      this.deps.events,
      rec.id,
      server,
      `${source.kind} ${what} attached to the next message (${framed.chars} characters${cut})`,
    );
    return { server, what, chars: framed.chars, truncated: framed.truncated };
  }

  /**
   * A session's sandbox for a server has started (the first, or one replacing a sandbox that crashed, was reaped
   * or restarted): it follows again what the session followed, and the session is told.
   */
  async sandboxStarted(sessionId: string, server: string): Promise<void> {
    const current = (): ContentHost | undefined => this.deps.live?.(sessionId, server);
    const host = current();
    if (!host) return;
    for (const line of await this.subscriptions.follow(sessionId, server, host, current)) {
      await notice(this.deps.events, sessionId, server, line);
    }
  }

  /** Forgets what an ended session followed. */
  forgetSession(sessionId: string): Promise<void> {
    return this.subscriptions.forgetSession(sessionId);
  }

  private async host(rec: SessionRecord, server: string, feature: Feature): Promise<ContentHost> {
    const host = await this.deps.sandboxes.sandbox(rec, server);
    if (!host.capabilities[feature]) throw unsupported(server, feature);
    return host;
  }
}

function unsupported(server: string, what: string): McpgwError {
  return new McpgwError('bad_request', `server "${server}" does not offer ${what}`);
}

function withCursor<T>(p: ContentPage<T>, cursor: unknown): ContentPage<T> {
  return typeof cursor === 'string' && cursor !== '' && cursor.length <= 4096 ? { ...p, nextCursor: cursor } : p;
}
