import { defineStore } from 'pinia';
import { ref, shallowRef, watch } from 'vue';
import { errorMessage } from '../../../src/errors.js';
import type {
  CompleteRequest,
  ContentPart,
  LogLevel,
  PromptSummary,
  ResourceContents,
  ResourceSummary,
  ResourceTemplateSummary,
} from '../../../src/protocol/content.js';
import { useChat } from './chat.js';
import { useConnection } from './connection.js';

/**
 * What the open session's servers offer besides tools, for the side panel: resources (paged), templates, prompts,
 * reading and attaching a resource, filling a prompt (with the server's completion) and sending it, following a
 * resource, the log level. Lists are re-read when the server says they changed (`server:changed`).
 */
export const useContent = defineStore('content', () => {
  const connection = useConnection();
  const chat = useChat();
  const server = ref<string>();
  const resources = shallowRef<ResourceSummary[]>([]);
  const templates = shallowRef<ResourceTemplateSummary[]>([]);
  const prompts = shallowRef<PromptSummary[]>([]);
  const supported = ref({ resources: true, prompts: true });
  const nextCursor = ref<string>();
  const reading = shallowRef<ResourceContents>();
  /** Resources this page follows, and those updated since they were last read. */
  const following = ref<Set<string>>(new Set());
  const updated = ref<Set<string>>(new Set());
  const error = ref<string>();
  const loading = ref(false);
  let seenSeq = 0;

  const sessionId = (): string | undefined => chat.view?.sessionId;

  /** Lists the server's resources, templates and prompts (the first page of each). */
  async function load(name: string | undefined = server.value): Promise<void> {
    const id = sessionId();
    if (!id || !name) return;
    server.value = name;
    loading.value = true;
    error.value = undefined;
    try {
      const [r, t, p] = await Promise.all([
        connection.request('resources:list', { sessionId: id, server: name }),
        connection.request('resources:templates', { sessionId: id, server: name }),
        connection.request('prompts:list', { sessionId: id, server: name }),
      ]);
      if (server.value !== name) return;
      resources.value = r.items;
      nextCursor.value = r.nextCursor;
      templates.value = t.items;
      prompts.value = p.items;
      supported.value = { resources: r.supported, prompts: p.supported };
    } catch (err) {
      error.value = errorMessage(err);
    } finally {
      loading.value = false;
    }
  }

  /** The next page of resources. */
  async function more(): Promise<void> {
    const id = sessionId();
    if (!id || !server.value || !nextCursor.value) return;
    const page = await connection.request('resources:list', { sessionId: id, server: server.value, cursor: nextCursor.value });
    resources.value = [...resources.value, ...page.items];
    nextCursor.value = page.nextCursor;
  }

  /** Reads a resource into the panel. */
  async function read(uri: string): Promise<void> {
    const id = sessionId();
    if (!id || !server.value) return;
    error.value = undefined;
    try {
      reading.value = await connection.request('resources:read', { sessionId: id, server: server.value, uri });
      const left = new Set(updated.value);
      left.delete(uri);
      updated.value = left;
    } catch (err) {
      error.value = errorMessage(err);
    }
  }

  /** Queues a resource for the model's next message. */
  async function attach(uri: string): Promise<void> {
    const id = sessionId();
    if (!id || !server.value) return;
    try {
      const done = await connection.request('context:attach', { sessionId: id, server: server.value, source: { kind: 'resource', uri } });
      chat.note(
        'success',
        `Attached ${done.what} from ${done.server} (${done.chars} characters${done.truncated ? ', cut' : ''}) to your next message.`,
      );
    } catch (err) {
      chat.note('error', errorMessage(err));
    }
  }

  /** Follows (or stops following) a resource's updates. */
  async function follow(uri: string, on: boolean): Promise<void> {
    const id = sessionId();
    if (!id || !server.value) return;
    try {
      await connection.request('resources:subscribe', { sessionId: id, server: server.value, uri, subscribe: on });
      const next = new Set(following.value);
      if (on) next.add(uri);
      else next.delete(uri);
      following.value = next;
    } catch (err) {
      error.value = errorMessage(err);
    }
  }

  /** The server's suggestions for one argument of a prompt, given the others already filled in. */
  function suggest(prompt: string, argument: string, value: string, filled: Record<string, string>): Promise<string[]> {
    return completeArgument({ type: 'prompt', name: prompt }, argument, value, filled);
  }

  /** The server's suggestions for one variable of a resource template, given the others already filled in. */
  function suggestForTemplate(uriTemplate: string, variable: string, value: string, filled: Record<string, string>): Promise<string[]> {
    return completeArgument({ type: 'resource', uri: uriTemplate }, variable, value, filled);
  }

  async function completeArgument(
    ref: CompleteRequest['ref'],
    argument: string,
    value: string,
    filled: Record<string, string>,
  ): Promise<string[]> {
    const id = sessionId();
    if (!id || !server.value) return [];
    const context = Object.fromEntries(Object.entries(filled).filter(([k, v]) => k !== argument && v !== ''));
    try {
      const r = await connection.request('completion:complete', {
        sessionId: id,
        server: server.value,
        ref,
        argument: { name: argument, value },
        ...(Object.keys(context).length > 0 ? { context } : {}),
      });
      return r.values;
    } catch {
      // A server without completion simply offers none.
      return [];
    }
  }

  /** Attaches a prompt's messages and sends a message that asks the model to follow them. */
  async function usePrompt(prompt: string, args: Record<string, string>, text: string): Promise<boolean> {
    const id = sessionId();
    const name = server.value;
    if (!id || !name) return false;
    const filled = Object.fromEntries(Object.entries(args).filter(([, v]) => v !== ''));
    try {
      await connection.request('context:attach', { sessionId: id, server: name, source: { kind: 'prompt', name: prompt, args: filled } });
    } catch (err) {
      chat.note('error', errorMessage(err));
      return false;
    }
    return chat.send(text.trim() || `Follow the "${prompt}" prompt of ${name} that I attached.`);
  }

  /** Sets the server's log level. */
  async function setLevel(level: LogLevel): Promise<void> {
    const id = sessionId();
    if (!id || !server.value) return;
    try {
      await connection.request('logging:setLevel', { sessionId: id, server: server.value, level });
    } catch (err) {
      error.value = errorMessage(err);
    }
  }

  function reset(): void {
    server.value = undefined;
    resources.value = [];
    templates.value = [];
    prompts.value = [];
    reading.value = undefined;
    following.value = new Set();
    updated.value = new Set();
    nextCursor.value = undefined;
    error.value = undefined;
    seenSeq = 0;
  }

  // Another session: start over, with its first server once the session's servers are known.
  let shown: string | undefined;
  watch(
    () => [chat.view?.sessionId, chat.view?.session?.servers.map((s) => s.name).join(',')] as const,
    ([id]) => {
      if (id !== shown) {
        shown = id;
        reset();
      }
      const first = chat.view?.session?.servers[0]?.name;
      if (id && !server.value && first) void load(first);
    },
    { immediate: true },
  );

  // What the server said changed: re-read a changed list, mark an updated resource (re-read it if it is open).
  watch(
    () => chat.view?.contentChanges,
    (changes) => {
      const fresh = (changes ?? []).filter((c) => c.seq > seenSeq);
      const last = fresh.at(-1);
      if (!last) return;
      seenSeq = last.seq;
      const mine = fresh.filter((c) => c.server === server.value);
      if (mine.some((c) => c.what !== 'resource')) void load();
      const uris = mine.flatMap((c) => (c.what === 'resource' ? [c.uri] : []));
      if (uris.length === 0) return;
      updated.value = new Set([...updated.value, ...uris]);
      if (reading.value && uris.includes(reading.value.uri)) void read(reading.value.uri);
    },
  );

  return {
    server,
    resources,
    templates,
    prompts,
    supported,
    nextCursor,
    reading,
    following,
    updated,
    error,
    loading,
    load,
    more,
    read,
    attach,
    follow,
    suggest,
    suggestForTemplate,
    usePrompt,
    setLevel,
  };
});

/** A part of a resource as the panel shows it. */
export function partText(part: ContentPart): string {
  return part.type === 'text' ? part.text : `[${part.mimeType ?? 'binary data'}, ${part.bytes} bytes: not shown]`;
}
