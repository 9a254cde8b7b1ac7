import { McpgwError } from '../errors.js';
import type { z } from 'zod';
import { configFileSchema, REMOTE_TYPES, SERVER_NAME_PATTERN, serverEntrySchema, type SandboxSettings } from './schema.js';
import type { Settings } from './settings.js';
import type { NetworkSetting } from './egress.js';
import type { RuntimeSetting } from './sandbox-runtime.js';
import { convertEntry } from './entry.js';
import type { BuildRecipe, Runtime } from './launchers.js';
import { describeFound, valueAt } from '../text/found.js';

export type { BuildRecipe, Runtime } from './launchers.js';

/** A server as mcpd runs it: everything resolved, defaults applied. */
export interface ServerConfig {
  name: string;
  /** The program to run; undefined runs the image's entrypoint (or, for npx entries, the package's bin). */
  command: string | undefined;
  /** May hold `${VAR}` secret references, expanded only when a container starts. */
  args: string[];
  /** Values may hold `${VAR}` secret references, expanded only when a container starts. */
  env: Record<string, string>;
  /** Host KEY=VALUE files read when a container starts (docker's `--env-file`, VS Code's `envFile`). */
  envFiles: string[];
  image: string | undefined;
  build: BuildRecipe | undefined;
  /** Which base image runs it when there is no `image`: python for uvx/pipx/python entries and pip recipes. */
  runtime: Runtime;
  /** 'none' (default), an egress allowlist, 'bridge' or another Docker network (both: full access). */
  network: NetworkSetting;
  mounts: { source: string; target: string; readOnly: boolean }[];
  limits: z.output<typeof serverEntrySchema>['limits'];
  timeoutMs: number;
  /** The most a call may take, progress or not. */
  maxTotalTimeoutMs: number;
  workdir: string | undefined;
  disabled: boolean;
  /** The server's own `runtime` (runc, runsc, auto); unset: `sandbox.runtime` decides. */
  sandboxRuntime?: RuntimeSetting | undefined;
}

/** A configured server that cannot run, and why (shown by `servers ls`, the pickers and `--json`). */
export interface UnavailableServer {
  name: string;
  reason: string;
  /** Where in the file the problem is, e.g. `mcpServers.git.args`. */
  path?: string;
}

export interface Catalog {
  /** The servers that can run. */
  servers: Map<string, ServerConfig>;
  /** The entries that cannot, with why; they never block the others. */
  unavailable: Map<string, UnavailableServer>;
  sandbox: SandboxSettings;
  settings: Settings;
  /** The `secrets.env` beside the config file (set by the loader; read when a container starts). */
  secretsFile: string | undefined;
  /** The parsed file, so later sections (daemon, gemini, policy) read their own keys. */
  raw: Record<string, unknown>;
}

export interface ConfigIssue {
  path: string;
  message: string;
  found?: string;
}

export type CatalogResult = { ok: true; catalog: Catalog; notices: string[] } | { ok: false; issues: ConfigIssue[] };

/**
 * Validates a config document and resolves every server entry; never throws on bad input. A bad top level or
 * section fails the whole document; a bad or unrunnable server entry only makes that server unavailable.
 */
export function parseCatalog(input: unknown): CatalogResult {
  const parsed = configFileSchema.safeParse(input ?? {});
  if (!parsed.success) {
    return { ok: false, issues: parsed.error.issues.map((issue) => toConfigIssue(issue, input)) };
  }
  const notices: string[] = [];
  const servers = new Map<string, ServerConfig>();
  const unavailable = new Map<string, UnavailableServer>();
  for (const [name, raw] of Object.entries(parsed.data.mcpServers)) {
    const result = resolveEntry(name, raw);
    if (result.ok) {
      servers.set(name, result.server);
      notices.push(...result.notices.map((n) => `mcpServers.${name}: ${n}`));
    } else {
      unavailable.set(name, { name, reason: result.reason, ...(result.path ? { path: result.path } : {}) });
    }
  }
  const { daemon, gemini, policy } = parsed.data;
  return {
    ok: true,
    catalog: {
      servers,
      unavailable,
      sandbox: parsed.data.sandbox,
      settings: { daemon, gemini, policy },
      secretsFile: undefined,
      raw: parsed.data,
    },
    notices,
  };
}

type EntryResult = { ok: true; server: ServerConfig; notices: string[] } | { ok: false; reason: string; path?: string };

function resolveEntry(name: string, raw: unknown): EntryResult {
  const at = `mcpServers.${name}`;
  if (!SERVER_NAME_PATTERN.test(name)) {
    return { ok: false, path: at, reason: 'server names use letters, digits, "-" and single "_" (they become tool names)' };
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return { ok: false, path: at, reason: `expected an object (found: ${describeFound(raw) ?? 'nothing'})` };
  }
  const remote = remoteReason(raw as Record<string, unknown>);
  if (remote) return { ok: false, path: at, reason: remote };
  const parsed = serverEntrySchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => {
      const found = toConfigIssue({ ...issue, path: ['mcpServers', name, ...issue.path] }, { mcpServers: { [name]: raw } });
      // The reason is shown to clients of mcpd: never echo what was found in `env`, it may be a secret.
      return issue.path[0] === 'env' ? { path: found.path, message: found.message } : found;
    });
    return {
      ok: false,
      path: issues[0]?.path ?? at,
      reason: issues.map((i) => `${i.path}: ${i.message}${i.found === undefined ? '' : ` (found: ${i.found})`}`).join('; '),
    };
  }
  const converted = convertEntry(parsed.data, raw as Record<string, unknown>);
  if (!converted.ok) return { ok: false, path: converted.path ? `${at}.${converted.path}` : at, reason: converted.reason };
  return { ok: true, server: { name, ...converted.server }, notices: converted.notices };
}

/** Remote transports (`url`, `type: http|sse`, Windsurf's `serverUrl`, Gemini CLI's `httpUrl`) cannot be sandboxed. */
function remoteReason(entry: Record<string, unknown>): string | undefined {
  const type = typeof entry.type === 'string' ? entry.type : undefined;
  const url = ['url', 'serverUrl', 'httpUrl'].find((k) => entry[k] !== undefined);
  if (!url && !(REMOTE_TYPES as readonly string[]).includes(type ?? '')) return undefined;
  const what = type && type !== 'stdio' ? `a remote ${type} server` : `a remote server ("${url}")`;
  return `${what}: mcpgw only runs servers it can sandbox (a command or an image); run it locally to use it here`;
}

/** Turns a zod issue into path / message / found, reading the found value from the document. */
export function toConfigIssue(issue: z.core.$ZodIssue, input: unknown): ConfigIssue {
  const path = issue.path.map(String).join('.') || '(top level)';
  if (issue.code === 'unrecognized_keys') {
    return { path, message: `unknown key(s) ${issue.keys.map((k) => `"${k}"`).join(', ')}` };
  }
  if (issue.code === 'invalid_key') {
    // The key itself is wrong: show the key's own problem, and the key, not its value.
    return { path, message: issue.issues.map((i) => i.message).join('; '), found: JSON.stringify(issue.path.at(-1)) };
  }
  const found = describeFound(valueAt(input, issue.path));
  return found === undefined ? { path, message: issue.message } : { path, message: issue.message, found };
}

/** Formats config issues as lines "path: message (found: value)" for a terminal. */
export function formatConfigIssues(issues: readonly ConfigIssue[]): string {
  return issues.map((i) => `  ${i.path}: ${i.message}${i.found === undefined ? '' : ` (found: ${i.found})`}`).join('\n');
}

/** Thrown by callers that need a server the catalog does not have. */
export function unknownServer(name: string, known: Iterable<string>): McpgwError {
  return new McpgwError('not_found', `no server named "${name}" (configured: ${[...known].join(', ') || 'none'})`);
}
