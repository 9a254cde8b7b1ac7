import { decodeValue, encodeValue, templateSpot, typeableUri } from '../../src/content/uri-template.js';
import { commonPrefix, type CompletionTarget } from './completion.js';
import type { ContentChat } from './content-runner.js';

type UriTarget = Extract<CompletionTarget, { kind: 'uri' }>;

/** A URI tab may complete to: `whole` when nothing is left to type (a space follows), `label` what the list shows. */
export interface UriCandidate {
  word: string;
  whole: boolean;
  label: string;
}

/** Templates asked for completion in one tab at most (several servers may share a URI prefix). */
const MAX_ASKED = 4;

/**
 * Candidates for a resource command's URI: the listed resources, the literal text of templates, and, inside a
 * template's `{variable}`, the server's values for it (`completion/complete` of `ref/resource`), percent-encoded as
 * the template expands them, so what the server suggests lands in the line inert.
 */
export async function uriCandidates(
  chat: ContentChat,
  session: { sessionId: string; servers: string[] },
  target: UriTarget,
): Promise<UriCandidate[]> {
  const cache = chat.content.forSession(session.sessionId);
  const servers = target.server ? [target.server] : session.servers;
  await loadListings(chat, session.sessionId, servers);
  const typed = target.prefix;
  const found: UriCandidate[] = [];
  const asks: Array<() => Promise<UriCandidate[]>> = [];
  for (const server of servers) {
    for (const r of cache.resources.get(server)?.items ?? []) {
      // A server's URI with a space or a control character in it is not typed in for the user (templates: the same).
      if (r.uri.startsWith(typed) && typeableUri(r.uri)) found.push({ word: r.uri, whole: true, label: r.uri });
    }
    for (const t of cache.templates.get(server) ?? []) {
      const spot = templateSpot(t.uriTemplate, typed);
      if (spot?.kind === 'literal') found.push({ word: spot.completion, whole: false, label: spot.completion });
      if (spot?.kind !== 'variable') continue;
      asks.push(async () => {
        const reply = await chat.client().request('completion:complete', {
          sessionId: session.sessionId,
          server,
          ref: { type: 'resource', uri: t.uriTemplate },
          argument: { name: spot.name, value: decodeValue(spot.prefix) },
          ...(Object.keys(spot.context).length > 0 ? { context: spot.context } : {}),
        });
        const base = typed.slice(0, typed.length - spot.prefix.length);
        return reply.values.map((v) => ({ word: base + encodeValue(v) + spot.after, whole: spot.last, label: v }));
      });
    }
  }
  for (const list of await Promise.all(asks.slice(0, MAX_ASKED).map((ask) => ask()))) found.push(...list);
  return found;
}

/** The line with its URI completed: one candidate fills it; several fill their common prefix and are listed. */
export function completeUri(line: string, target: UriTarget, candidates: readonly UriCandidate[]): { line: string; choices: string[] } {
  const unique = new Map<string, UriCandidate>();
  for (const c of candidates) if (c.word.startsWith(target.prefix) && !unique.has(c.word)) unique.set(c.word, c);
  const matching = [...unique.values()];
  const head = line.slice(0, line.length - target.prefix.length);
  const [only] = matching;
  if (matching.length === 1 && only) return { line: head + only.word + (only.whole ? ' ' : ''), choices: [] };
  if (matching.length === 0) return { line, choices: [] };
  const prefix = commonPrefix(matching.map((c) => c.word));
  return { line: prefix.length > target.prefix.length ? head + prefix : line, choices: matching.map((c) => c.label) };
}

/** Lists the first page of resources and templates of servers the chat has not listed yet. */
async function loadListings(chat: ContentChat, sessionId: string, servers: string[]): Promise<void> {
  const cache = chat.content;
  await Promise.all(
    servers
      .filter((server) => !cache.resources.has(server) && !cache.templates.has(server))
      .map(async (server) => {
        const [resources, templates] = await Promise.all([
          chat.client().request('resources:list', { sessionId, server }),
          chat.client().request('resources:templates', { sessionId, server }),
        ]);
        // A server without resources is remembered as having none, so it is not asked again on every tab.
        cache.resources.set(server, { items: resources.items, ...(resources.nextCursor ? { next: resources.nextCursor } : {}) });
        cache.templates.set(server, templates.items);
      }),
  );
}
