import type { CommandIO } from '../io.js';
import { jsonText } from '../../src/text/safe-json.js';
import { safeLine } from '../../src/text/sanitize.js';
import { formatMs, formatTable } from '../../src/text/table.js';
import { claimedHints } from '../../src/view/format.js';
import { parseJsonObject } from '../args.js';
import { resolveSession, withClient } from './common.js';
import type { GlobalOptions } from '../options.js';

/** `mcpgw tools ls [--session ID]`: the tools of a session's servers (starting their sandboxes if needed). */
export async function toolsList(opts: GlobalOptions & { session?: string }, io: CommandIO): Promise<number> {
  const { session, listing } = await withClient(opts, io, async (c) => {
    const session = await resolveSession(c, opts.session, io);
    return { session, listing: await c.request('tools:list', { sessionId: session.id }) };
  });
  if (opts.json) {
    io.out(jsonText({ session: session.id, ...listing }, 2));
    return listing.failed.length > 0 ? 1 : 0;
  }
  for (const f of listing.failed) io.err(`${f.server}: unavailable: ${f.error}`);
  io.out(`tools of session ${session.id}:`);
  io.out(
    formatTable(
      ['SERVER', 'TOOL', 'CLAIMS', 'MODEL', 'DESCRIPTION'],
      listing.tools.map((t) => [
        t.server,
        t.name,
        claimedHints(t.annotations),
        t.refused === undefined ? 'offered' : 'REFUSED',
        safeLine(t.description.replace(/[ \t\r\n]+/g, ' ')).slice(0, 70),
      ]),
      { maxWidth: io.columns },
    ),
  );
  // Names and reasons are the server's text: each note is one safe line (a name may be why it was refused).
  const refused = listing.tools.filter((t) => t.refused !== undefined);
  if (refused.length > 0)
    io.out(
      ['', 'not offered to the model:', ...refused.map((t) => `  ${safeLine(`${t.server}/${t.name}`)}: ${safeLine(t.refused ?? '')}`)].join(
        '\n',
      ),
    );
  return listing.failed.length > 0 ? 1 : 0;
}

/** `mcpgw tools call SERVER TOOL [--args JSON]`: a call the user makes directly, recorded and audited. */
export async function toolsCall(
  server: string,
  tool: string,
  opts: GlobalOptions & { args?: string; session?: string },
  io: CommandIO,
): Promise<number> {
  const args = parseJsonObject(opts.args, '--args');
  const { session, result } = await withClient(opts, io, async (c) => {
    const session = await resolveSession(c, opts.session, io, { servers: [server] });
    return { session, result: await c.request('tools:call', { sessionId: session.id, server, tool, args }) };
  });
  if (opts.json) io.out(jsonText({ session: session.id, ...result }, 2));
  else {
    io.out(result.text);
    io.err(
      `${result.ok ? 'ok' : 'the tool reported an error'} in ${formatMs(result.durationMs)} (session ${session.id}, call ${result.callId})`,
    );
  }
  return result.ok ? 0 : 1;
}

/** `mcpgw tools pins [--session ID]`: the tool definitions a session pinned, and which the server changed since. */
export async function toolsPins(opts: GlobalOptions & { session?: string }, io: CommandIO): Promise<number> {
  const found = await withClient(opts, io, async (c) => {
    // Most recent session by default, ended ones too; never creates one (there would be nothing pinned).
    const session = opts.session
      ? await c.request('session:get', { sessionId: opts.session })
      : (await c.request('session:list', {})).sort((a, b) => b.lastActive - a.lastActive)[0];
    return session && { session, pins: await c.request('tools:pins', { sessionId: session.id }) };
  });
  if (!found) {
    io.err('no sessions');
    return 1;
  }
  const { session, pins } = found;
  if (opts.json) {
    io.out(jsonText({ session: session.id, pins }, 2));
    return 0;
  }
  io.out(`tool pins of session ${session.id}:`);
  io.out(
    formatTable(
      ['SERVER', 'TOOL', 'HASH', 'PINNED AT', 'CHANGED'],
      pins.map((p) => [
        p.server,
        p.tool,
        p.hash.slice(0, 12),
        new Date(p.pinnedAt).toISOString().replace('T', ' ').slice(0, 19),
        p.changed ? `CHANGED (${p.changed.fields.join(', ')}) → ${p.changed.hash.slice(0, 12)}` : 'no',
      ]),
      { maxWidth: io.columns },
    ),
  );
  const changed = pins.filter((p) => p.changed).length;
  if (changed > 0) io.out(`\n${changed} tool(s) changed since pinned: the next call of each asks a person, with a diff.`);
  return 0;
}
