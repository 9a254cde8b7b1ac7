import { copyFile, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { parse as parseJsonc, type ParseError, printParseErrorCode } from 'jsonc-parser';
import { parseDocument } from 'yaml';
import type { CommandIO } from '../io.js';
import type { GlobalOptions } from '../options.js';
import {
  IMPORT_CLIENTS,
  clientConfigFiles,
  mergeServers,
  normalizeEntry,
  serverMapsOf,
  type ImportClient,
  type MergeAction,
} from '../../src/config/import.js';
import { McpgwError } from '../../src/errors.js';
import { formatTable } from '../../src/text/table.js';
import { configFileCandidates, parseConfigText, SECRETS_FILE } from '../../daemon/config/load.js';
import { readinessOf, serverStates, type Readiness } from '../../daemon/config/availability.js';
import { createLaunchResolver } from '../../daemon/config/launch.js';
import { readSecretsFile } from '../../daemon/config/secrets.js';

export interface ConfigImportOptions extends GlobalOptions {
  from?: string;
  dryRun?: boolean;
  overwrite?: boolean;
}

interface Source {
  file: string;
  servers: Record<string, unknown>;
  notes: string[];
}

/** `mcpgw config import [--from CLIENT|FILE] [--dry-run] [--overwrite]`: other clients' servers into mcpgw's config. */
export async function configImport(opts: ConfigImportOptions, io: CommandIO): Promise<number> {
  const sources = await findSources(opts.from);
  if (sources.length === 0) {
    const where = opts.from ? `in ${opts.from}` : `for ${IMPORT_CLIENTS.join(', ')}`;
    throw new McpgwError('not_found', `no MCP server configs found ${where}; give one with --from FILE`);
  }
  const target = configFileCandidates(opts.config).files[0] ?? '';
  const existingText = await readFile(target, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw new McpgwError('config_invalid', `cannot read ${target}: ${err.message}`);
  });
  const yaml = /\.ya?ml$/i.test(target);
  const doc = parseTarget(existingText, target, yaml);
  const existing = ((doc.toJS() as { mcpServers?: Record<string, unknown> } | null)?.mcpServers ?? {}) as Record<string, unknown>;

  const notes: string[] = sources.flatMap((s) => s.notes);
  const secretsFile = path.join(path.dirname(target), SECRETS_FILE);
  const onDisk = await existingSecrets(secretsFile);
  const secrets: Record<string, string> = {};
  const incoming: Array<{ from: string; entry: Record<string, unknown>; claimed: string[] }> = [];
  for (const source of sources) {
    for (const [name, raw] of Object.entries(source.servers)) {
      const normalized = normalizeEntry(name, raw);
      notes.push(...normalized.notes);
      incoming.push({ from: name, entry: normalized.entry, claimed: claimSecrets(name, normalized, secrets, onDisk) });
    }
  }
  const { merged, actions } = mergeServers(existing, incoming, { overwrite: opts.overwrite ?? false });
  // Only the secrets of servers this run writes go to secrets.env (actions follow `incoming` one to one).
  for (const [i, { claimed }] of incoming.entries()) {
    const action = actions[i]?.action;
    if (action !== 'added' && action !== 'replaced') for (const name of claimed) delete secrets[name];
  }
  doc.set('mcpServers', merged);
  // A JSON target stays JSON (the Document was read from it as YAML, which JSON is a subset of).
  const text = yaml ? doc.toString() : `${JSON.stringify(doc.toJS(), null, 2)}\n`;
  const changed = actions.some((a) => a.action === 'added' || a.action === 'replaced');

  // Read back as mcpgw will read it before anything is written: a file mcpgw would refuse is never written, and
  // "ready" means what `servers ls` will say. Secrets this run would write count as present in a dry run.
  const catalog = parseConfigText(text, target).catalog;
  let backup: string | undefined;
  if (!opts.dryRun && changed) backup = await writeTarget(target, existingText, text, secrets);
  const env = opts.dryRun ? { ...process.env, ...secrets } : process.env;
  const states = new Map(
    (await serverStates(catalog, createLaunchResolver({ env, secretsFile: catalog.secretsFile }))).map((s) => [s.name, readinessOf(s)]),
  );

  const rows = actions.map((a) => ({ ...a, state: states.get(a.name) }));
  if (opts.json) {
    io.out(
      JSON.stringify(
        {
          ok: true,
          target,
          dryRun: Boolean(opts.dryRun),
          backup: backup ?? null,
          sources: sources.map((s) => s.file),
          servers: rows.map(jsonRow),
          notes,
        },
        null,
        2,
      ),
    );
    return 0;
  }
  io.err(`read ${sources.map((s) => s.file).join(', ')}`);
  for (const note of notes) io.err(`note: ${note}`);
  io.out(
    formatTable(
      ['SERVER', 'IMPORT', 'STATE'],
      rows.map((r) => [r.name, importWord(r.action, r.from, r.name), stateWord(r.state)]),
      { maxWidth: io.columns },
    ),
  );
  if (opts.dryRun) io.out(`dry run: ${target} was not changed`);
  else if (!changed) io.out(`nothing new for ${target}`);
  else
    io.out(
      `wrote ${target}${backup ? ` (backup: ${backup})` : ''}${Object.keys(secrets).length ? `; secrets in ${path.join(path.dirname(target), SECRETS_FILE)}` : ''}`,
    );
  if (actions.some((a) => a.action === 'kept-yours'))
    io.out('servers marked "kept yours" differ from yours; rerun with --overwrite to replace them');
  return 0;
}

/** The files to read: one given file, one client's standard places, or every client's. */
async function findSources(from: string | undefined): Promise<Source[]> {
  const places = { home: homedir(), cwd: process.cwd(), platform: process.platform, xdgConfigHome: process.env.XDG_CONFIG_HOME };
  const clients = from && (IMPORT_CLIENTS as readonly string[]).includes(from) ? [from as ImportClient] : from ? [] : [...IMPORT_CLIENTS];
  const files = clients.length > 0 ? clients.flatMap((c) => clientConfigFiles(c, places)) : [path.resolve(from ?? '')];
  const sources: Source[] = [];
  for (const file of files) {
    const text = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT' && clients.length > 0) return undefined;
      throw new McpgwError('not_found', `cannot read ${file}: ${err.message}`);
    });
    if (text === undefined) continue;
    const { servers, notes } = serverMapsOf(parseForeign(text, file));
    if (Object.keys(servers).length > 0 || clients.length === 0) sources.push({ file, servers, notes });
  }
  return sources;
}

/** Other clients write JSON with comments and trailing commas (VS Code); YAML files are read as YAML. */
function parseForeign(text: string, file: string): unknown {
  if (/\.ya?ml$/i.test(file)) return parseDocument(text).toJS();
  const errors: ParseError[] = [];
  const doc: unknown = parseJsonc(text, errors, { allowTrailingComma: true });
  const first = errors[0];
  if (first)
    throw new McpgwError('config_invalid', `${file} is not valid JSON: ${printParseErrorCode(first.error)} at offset ${first.offset}`);
  return doc;
}

function parseTarget(text: string | undefined, file: string, yaml: boolean): ReturnType<typeof parseDocument> {
  if (text === undefined) return parseDocument('{}');
  try {
    // JSON is YAML; the Document keeps a YAML file's comments. A JSON target is written back as JSON below.
    const doc = yaml ? parseDocument(text) : parseDocument(JSON.stringify(JSON.parse(text)));
    if (doc.errors[0]) throw doc.errors[0];
    return doc;
  } catch (err) {
    throw new McpgwError('config_invalid', `${file} is not valid ${yaml ? 'YAML' : 'JSON'}: ${(err as Error).message}`);
  }
}

/** The secrets.env beside mcpgw's config; one that mcpgw would refuse (its mode) is refused here too. */
async function existingSecrets(file: string): Promise<Record<string, string>> {
  const state = await readSecretsFile(file);
  if (state.kind === 'refused') throw new McpgwError('config_invalid', `${state.reason}; fix it before importing`);
  return state.kind === 'ok' ? Object.fromEntries(state.values) : {};
}

/**
 * Moves an entry's literal secrets into the shared map; a name already used for another value is made unique.
 * Returns the names it added to the map.
 */
function claimSecrets(
  server: string,
  normalized: ReturnType<typeof normalizeEntry>,
  secrets: Record<string, string>,
  onDisk: Record<string, string>,
): string[] {
  const claimed: string[] = [];
  const env = normalized.entry.env as Record<string, string> | undefined;
  for (const [key, value] of Object.entries(normalized.secrets)) {
    let name = key;
    const taken = (n: string): boolean => (secrets[n] ?? onDisk[n]) !== undefined && (secrets[n] ?? onDisk[n]) !== value;
    if (taken(name)) name = `${key}_${server.replace(/[^A-Za-z0-9]+/g, '_').toUpperCase()}`;
    for (let i = 2; taken(name); i++) name = `${key}_${i}`;
    if (onDisk[name] !== value && secrets[name] === undefined) {
      secrets[name] = value;
      claimed.push(name);
    }
    if (env) env[key] = `\${${name}}`;
  }
  return claimed;
}

/** Backs the old file up, writes the new one (0600: it may hold what users pasted) and appends secrets. */
async function writeTarget(
  target: string,
  before: string | undefined,
  text: string,
  secrets: Record<string, string>,
): Promise<string | undefined> {
  await mkdir(path.dirname(target), { recursive: true, mode: 0o700 });
  let backup: string | undefined;
  if (before !== undefined) {
    backup = `${target}.bak-${new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '')}`;
    await copyFile(target, backup);
  }
  await writeFile(target, text, { mode: before === undefined ? 0o600 : (await stat(target)).mode & 0o777 });
  const lines = Object.entries(secrets).map(([k, v]) => `${k}=${envValue(v)}\n`);
  if (lines.length > 0) {
    const file = path.join(path.dirname(target), SECRETS_FILE);
    const old = await readFile(file, 'utf8').catch(() => '');
    await writeFile(file, `${old}${old && !old.endsWith('\n') ? '\n' : ''}${lines.join('')}`, { mode: 0o600 });
  }
  return backup;
}

/** A value as secrets.env's reader reads it back: quoted when it has spaces at its ends, quotes or newlines. */
function envValue(value: string): string {
  if (!/^\s|\s$|["'\n\\]/.test(value)) return value;
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

function importWord(action: MergeAction, from: string, name: string): string {
  const renamed = from === name ? '' : ` (from "${from}")`;
  return { added: 'added', unchanged: 'unchanged', replaced: 'replaced', 'kept-yours': 'kept yours' }[action] + renamed;
}

function stateWord(state: Readiness | undefined): string {
  if (!state) return 'unavailable (not in the merged config)';
  if (state.state === 'ready') return 'ready';
  if (state.state === 'build') return `will build (${state.detail})`;
  return `unavailable (${state.detail})`;
}

function jsonRow(row: { from: string; name: string; action: MergeAction; state: Readiness | undefined }): Record<string, unknown> {
  return {
    name: row.name,
    from: row.from,
    action: row.action,
    state: row.state?.state ?? 'unavailable',
    detail: row.state?.detail ?? null,
  };
}
