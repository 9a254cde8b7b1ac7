import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseConfigText } from '../../daemon/config/load.js';
import { withTestRuntime } from './catalog.js';
import { builder } from './docker.js';

/**
 * The hostile MCP server (test/fixtures/hostile-server): escape sequences and invisible characters in tool names,
 * descriptions, titles, results, logs and stderr. It lives in a config of its own, not in servers.json, so sessions
 * that take every configured server never meet it by accident.
 */
const SERVER_DIR = fileURLToPath(new URL('../fixtures/hostile-server', import.meta.url));

/** What the hostile server puts in every text field, as it must look once made inert (see its server.js). */
export const SHOWN_INERT = {
  c1: '⟦U+009B⟧2J',
  bel: '␇',
  bidi: 'invoice_⟦U+202E⟧exe.txt',
  zeroWidth: '⟦U+200B⟧zero⟦U+200B⟧width',
  tags: '⟦U+E0049⟧⟦U+E0047⟧⟦U+E004E⟧⟦U+E004F⟧⟦U+E0052⟧⟦U+E0045⟧',
  osc52: '␛]52;c;cm0gLXJmIH4=␇',
  osc8: '␛]8;;https://evil.test/␛\\click me␛]8;;␛\\',
  cursor: '␛[2J␛[H␛[3A',
  sgr: '␛[31mred␛[0m ␛[8mconcealed␛[0m',
};

/** The tool names the server lists that mcpgw must refuse, with the start of each reason. */
export const REFUSED_NAMES: Array<[shown: string, reason: string]> = [
  ['innocent⏎server claims: read-only', 'tool name contains control characters (U+000A)'],
  ['copy␛]52;c;cm0gLXJmIH4=␇', 'tool name contains control characters (U+001B, U+0007)'],
  ['run⟦U+202E⟧gnp.exe', 'tool name contains invisible or bidi characters (U+202E)'],
  ['clear⟦U+009B⟧2J', 'tool name contains control characters (U+009B)'],
  ['tag⟦U+E0049⟧⟦U+E0047⟧⟦U+E004E⟧⟦U+E004F⟧⟦U+E0052⟧⟦U+E0045⟧', 'tool name contains invisible or bidi characters (U+E0049'],
];

/** The server's config entry (build recipe from its directory). */
export function hostileServerEntry(): Record<string, unknown> {
  return { build: { npm: [SERVER_DIR] }, command: 'mcpgw-hostile-server', timeout: '20s' };
}

/** Writes a config file whose only server is the hostile one; returns its path. */
export function writeHostileConfig(): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'mcpgw-hostile-')), 'config.json');
  writeFileSync(file, JSON.stringify(withTestRuntime({ mcpServers: { hostile: hostileServerEntry() } }), null, 2));
  return file;
}

/** Builds the hostile server's image (cached by recipe hash, like the test catalog's images in global setup). */
export async function buildHostileImage(configFile: string): Promise<void> {
  const server = parseConfigText(readFileSync(configFile, 'utf8'), configFile).catalog.servers.get('hostile');
  if (!server) throw new Error(`no hostile server in ${configFile}`);
  await builder.build(server, (p) => {
    if (p.phase !== 'docker') process.stderr.write(`[setup] ${p.server}: ${p.line}\n`);
  });
}

/** Raw bytes a terminal would obey, or hidden characters: none of them may reach one. */
// eslint-disable-next-line no-control-regex
export const TERMINAL_UNSAFE = /[\u0000-\u0009\u000B-\u001F\u007F-\u009F\u200B-\u200F\u202A-\u202E\u2066-\u2069\uFEFF\u{E0000}-\u{E007F}]/u;
