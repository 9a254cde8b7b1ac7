import { SERVER_NAME_PATTERN } from './schema.js';

/**
 * Reading other MCP clients' configs into mcpgw's shape. Pure: the CLI reads the files (see
 * cli/local/config-import.ts) and passes their parsed contents here.
 */
export const IMPORT_CLIENTS = ['claude-desktop', 'claude-code', 'cursor', 'vscode', 'gemini-cli', 'windsurf'] as const;
export type ImportClient = (typeof IMPORT_CLIENTS)[number];

export interface ImportPlaces {
  home: string;
  cwd: string;
  platform: string;
  /** XDG_CONFIG_HOME, when set. */
  xdgConfigHome?: string | undefined;
}

const join = (...parts: string[]): string => parts.join('/').replace(/\/+/g, '/');

/** The files a client keeps its MCP servers in, user-level first, on Linux and macOS. */
export function clientConfigFiles(client: ImportClient, at: ImportPlaces): string[] {
  const mac = at.platform === 'darwin';
  const appSupport = join(at.home, 'Library/Application Support');
  const xdg = at.xdgConfigHome || join(at.home, '.config');
  switch (client) {
    case 'claude-desktop':
      return [mac ? join(appSupport, 'Claude/claude_desktop_config.json') : join(xdg, 'Claude/claude_desktop_config.json')];
    case 'claude-code':
      return [join(at.home, '.claude.json'), join(at.cwd, '.mcp.json')];
    case 'cursor':
      return [join(at.home, '.cursor/mcp.json'), join(at.cwd, '.cursor/mcp.json')];
    case 'vscode': {
      const user = mac ? join(appSupport, 'Code/User') : join(xdg, 'Code/User');
      return [join(user, 'mcp.json'), join(user, 'settings.json'), join(at.cwd, '.vscode/mcp.json')];
    }
    case 'gemini-cli':
      return [join(at.home, '.gemini/settings.json'), join(at.cwd, '.gemini/settings.json')];
    case 'windsurf':
      return [join(at.home, '.codeium/windsurf/mcp_config.json')];
  }
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The server maps a document holds: `mcpServers` (most clients), `servers` (VS Code's mcp.json),
 *  `mcp.servers` (VS Code's settings.json) and Claude Code's per-project `projects.*.mcpServers`. */
export function serverMapsOf(doc: unknown): { servers: Json; notes: string[] } {
  const servers: Json = {};
  const notes: string[] = [];
  if (!isObject(doc)) return { servers, notes };
  const add = (map: unknown, where: string): void => {
    if (!isObject(map)) return;
    for (const [name, entry] of Object.entries(map)) {
      if (name in servers) {
        notes.push(`${where}.${name}: a server of that name was already found; kept the first`);
        continue;
      }
      servers[name] = entry;
    }
  };
  add(doc.mcpServers, 'mcpServers');
  add(doc.servers, 'servers');
  if (isObject(doc.mcp)) add(doc.mcp.servers, 'mcp.servers');
  add(doc['mcp.servers'], 'mcp.servers');
  if (isObject(doc.projects)) {
    for (const [project, settings] of Object.entries(doc.projects)) {
      if (isObject(settings)) add(settings.mcpServers, `projects[${project}].mcpServers`);
    }
  }
  return { servers, notes };
}

/** Keys of other clients' entries and what becomes of each in mcpgw's config. */
const DROPPED: Record<string, string> = {
  cwd: 'the sandbox has its own working directory; host paths in args are mounted read-only',
  envFile: 'put its variables in secrets.env beside the config and refer to them as ${VAR}',
  headers: 'remote servers are not run by mcpgw',
  trust: 'mcpgw asks a human (or your policy decides) for every call',
  includeTools: 'use a policy to allow or deny tools',
  excludeTools: 'use a policy to deny tools',
  alwaysAllow: 'use a policy to allow tools',
  autoApprove: 'use a policy to allow tools',
  description: 'not used',
  oauth: 'remote servers are not run by mcpgw',
  authProviderType: 'remote servers are not run by mcpgw',
  gemini: 'not used',
};

/** Env names that usually hold a secret: their literal values move to secrets.env (mode 0600). */
const SECRET_NAME = /(TOKEN|SECRET|PASSWORD|PASSWD|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIAL|AUTH)/i;

export interface NormalizedEntry {
  entry: Json;
  notes: string[];
  /** Literal secret values taken out of `env`, to be written to secrets.env. */
  secrets: Record<string, string>;
}

/**
 * One foreign entry in mcpgw's shape: stdio fields kept, remote ones kept so mcpgw can say why it will not run
 * them, client-specific keys dropped with a note, VS Code `${input:x}` prompts turned into `${X}` secrets and
 * literal secret-looking env values moved out of the config.
 */
export function normalizeEntry(name: string, raw: unknown): NormalizedEntry {
  const notes: string[] = [];
  const secrets: Record<string, string> = {};
  if (!isObject(raw)) return { entry: {}, notes: [`${name}: not an object; imported empty, so it will be unavailable`], secrets };
  const entry: Json = {};
  for (const [key, value] of Object.entries(raw)) {
    switch (key) {
      case 'command':
      case 'disabled':
        entry[key] = value;
        break;
      case 'args':
        entry.args = Array.isArray(value) ? value.map((a) => rewriteInputs(String(a), notes)) : value;
        break;
      case 'env':
        entry.env = isObject(value) ? importEnv(value, secrets, notes) : value;
        break;
      case 'type':
        entry.type = value;
        break;
      case 'url':
      case 'serverUrl':
      case 'httpUrl':
        entry.url = value;
        break;
      case 'timeout':
        // Gemini CLI and others give milliseconds; mcpgw reads a number as milliseconds too.
        if (typeof value === 'number' && value > 0) entry.timeout = value;
        break;
      default:
        notes.push(`${key}: dropped (${DROPPED[key] ?? 'not an mcpgw field'})`);
    }
  }
  return { entry, notes: notes.map((n) => `${name}: ${n}`), secrets };
}

function importEnv(env: Json, secrets: Record<string, string>, notes: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    const text = rewriteInputs(String(value), notes);
    if (SECRET_NAME.test(key) && text !== '' && !/\$\{/.test(text)) {
      secrets[key] = text;
      out[key] = `\${${key}}`;
      notes.push(`env.${key}: its value moved to secrets.env (mode 0600); the config now says \${${key}}`);
    } else {
      out[key] = text;
    }
  }
  return out;
}

/** VS Code prompts for `${input:id}`; mcpgw has no prompt at start, so it becomes a secret `${ID}`. */
function rewriteInputs(text: string, notes: string[]): string {
  return text.replace(/\$\{input:([^}]+)\}/g, (_m, id: string) => {
    const variable = id.replace(/[^A-Za-z0-9]+/g, '_').toUpperCase();
    notes.push(`\${input:${id}} became \${${variable}}: put its value in secrets.env or mcpd's environment`);
    return `\${${variable}}`;
  });
}

/** A server name mcpgw accepts (letters, digits, "-", single "_"), unique among `taken`. */
export function safeServerName(name: string, taken: ReadonlySet<string>): string {
  let safe = name
    .replace(/[^A-Za-z0-9_-]+/g, '-')
    .replace(/_{2,}/g, '_')
    .replace(/^[^A-Za-z0-9]+/, '')
    .replace(/-+$/, '');
  if (!SERVER_NAME_PATTERN.test(safe)) safe = 'server';
  let candidate = safe;
  for (let i = 2; taken.has(candidate); i++) candidate = `${safe}-${i}`;
  return candidate;
}

export type MergeAction = 'added' | 'unchanged' | 'replaced' | 'kept-yours';

export interface MergeResult {
  merged: Json;
  actions: Array<{ from: string; name: string; action: MergeAction }>;
}

/** Merges imported entries into existing ones; a different entry of the same name is never replaced silently. */
export function mergeServers(existing: Json, incoming: Array<{ from: string; entry: Json }>, options: { overwrite: boolean }): MergeResult {
  const merged: Json = { ...existing };
  const actions: MergeResult['actions'] = [];
  const imported = new Set<string>();
  for (const { from, entry } of incoming) {
    // Renamed only to be valid and unique within this import: a name already in the config is compared, not dodged.
    const name = SERVER_NAME_PATTERN.test(from) && !imported.has(from) ? from : safeServerName(from, imported);
    imported.add(name);
    if (!(name in merged)) {
      merged[name] = entry;
      actions.push({ from, name, action: 'added' });
    } else if (sameJson(merged[name], entry)) {
      actions.push({ from, name, action: 'unchanged' });
    } else if (options.overwrite) {
      merged[name] = entry;
      actions.push({ from, name, action: 'replaced' });
    } else {
      actions.push({ from, name, action: 'kept-yours' });
    }
  }
  return { merged, actions };
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (!isObject(value)) return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((k) => [k, sortKeys(value[k])]),
  );
}
