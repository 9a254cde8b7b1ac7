import { errorMessage } from '../../src/errors.js';
import { HELP } from './commands.js';
import { complete, completionTarget, type CompletionTarget } from './completion.js';
import { splitPromptName } from './content-parse.js';
import { loadPrompts, promptServer, type ContentChat } from './content-runner.js';
import { completeUri, uriCandidates } from './uri-complete.js';

/**
 * Tab in the chat: the input line with its last word completed (a command, a prompt name, a prompt argument's name,
 * or its value as the server suggests, a resource URI or a template variable's value), or undefined to leave it.
 * Several candidates are shown as a note.
 */
export async function completeLine(chat: ContentChat, line: string): Promise<string | undefined> {
  const target = completionTarget(line);
  const session = chat.session();
  if (!target || !session) return undefined;
  try {
    const done =
      target.kind === 'uri'
        ? completeUri(line, target, await uriCandidates(chat, session, target))
        : complete(line, target, await candidates(chat, session, target));
    if (done.choices.length > 1) chat.note('muted', done.choices.slice(0, 30).join('  '));
    return done.line;
  } catch (err) {
    chat.note('error', errorMessage(err));
    return undefined;
  }
}

async function candidates(
  chat: ContentChat,
  session: { sessionId: string; servers: string[] },
  target: Exclude<CompletionTarget, { kind: 'uri' }>,
): Promise<string[]> {
  if (target.kind === 'command') return HELP.map(([c]) => (c.split(/[\s:]/)[0] ?? '').slice(1));
  const cache = chat.content.forSession(session.sessionId);
  if (cache.prompts.size === 0) await loadPrompts(chat, session);
  if (target.kind === 'prompt-name') {
    // A name two servers share is offered as SERVER/NAME, the form /prompt: needs to tell them apart.
    return [...cache.prompts].flatMap(([server, list]) =>
      list.map((p) => (cache.serversOfPrompt(p.name).length > 1 ? `${server}/${p.name}` : p.name)),
    );
  }
  const { server: named, prompt } = splitPromptName(target.prompt);
  const server = await promptServer(chat, session, named, prompt);
  const args = cache.prompts.get(server)?.find((p) => p.name === prompt)?.arguments ?? [];
  if (target.kind === 'argument-name') return args.map((a) => a.name).filter((n) => !target.given.includes(n));
  const context = Object.keys(target.args).length > 0 ? { context: target.args } : {};
  const reply = await chat.client().request('completion:complete', {
    sessionId: session.sessionId,
    server,
    ref: { type: 'prompt', name: prompt },
    argument: { name: target.argument, value: target.prefix },
    ...context,
  });
  return reply.values;
}
