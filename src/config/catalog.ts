import type { z } from 'zod';
import { configFileSchema, type SandboxSettings, type serverEntrySchema } from './schema.js';
import type { Settings } from './settings.js';
import type { NetworkSetting } from './egress.js';
import { convertNpx } from './npx.js';
import { describeFound, valueAt } from '../text/found.js';

type ParsedEntry = z.output<typeof serverEntrySchema>;

/** A server as mcpd runs it: everything resolved, defaults applied. */
export interface ServerConfig {
  name: string;
  /** The program to run; undefined runs the image's entrypoint (or, for npx entries, the package's bin). */
  command: string | undefined;
  args: string[];
  env: Record<string, string>;
  image: string | undefined;
  build: { npm: string[]; base?: string | undefined } | undefined;
  /** 'none' (default), an egress allowlist, 'bridge' or another Docker network (both: full access). */
  network: NetworkSetting;
  mounts: { source: string; target: string; readOnly: boolean }[];
  limits: { memoryBytes: number; nanoCpus: number; pids: number };
  timeoutMs: number;
  workdir: string | undefined;
  disabled: boolean;
}

export interface Catalog {
  servers: Map<string, ServerConfig>;
  sandbox: SandboxSettings;
  settings: Settings;
  /** The parsed file, so later sections (daemon, gemini, policy) read their own keys. */
  raw: Record<string, unknown>;
}

export interface ConfigIssue {
  path: string;
  message: string;
  found?: string;
}

export type CatalogResult = { ok: true; catalog: Catalog; notices: string[] } | { ok: false; issues: ConfigIssue[] };

/** Launchers that need a runtime the offline Node base does not have. */
const NON_NODE_LAUNCHERS = new Set(['uvx', 'uv', 'python', 'python3', 'pipx', 'docker', 'deno', 'bun', 'java']);

/** Validates a config document and resolves every server entry; never throws on bad input. */
export function parseCatalog(input: unknown): CatalogResult {
  const parsed = configFileSchema.safeParse(input ?? {});
  if (!parsed.success) {
    return { ok: false, issues: parsed.error.issues.map((issue) => toConfigIssue(issue, input)) };
  }
  const notices: string[] = [];
  const issues: ConfigIssue[] = [];
  const servers = new Map<string, ServerConfig>();
  for (const [name, entry] of Object.entries(parsed.data.mcpServers)) {
    const resolved = resolveEntry(name, entry, notices, issues);
    if (resolved) servers.set(name, resolved);
  }
  if (issues.length > 0) return { ok: false, issues };
  const { daemon, gemini, policy } = parsed.data;
  return { ok: true, catalog: { servers, sandbox: parsed.data.sandbox, settings: { daemon, gemini, policy }, raw: parsed.data }, notices };
}

function resolveEntry(name: string, entry: ParsedEntry, notices: string[], issues: ConfigIssue[]): ServerConfig | undefined {
  let { command, args, build } = entry;
  if (command && !entry.image && !build) {
    const npx = convertNpx(command, args);
    if (npx) {
      notices.push(`mcpServers.${name}: ${npx.notice}`);
      ({ command, args } = npx);
      build = { npm: npx.packages };
    } else if (NON_NODE_LAUNCHERS.has(command.split('/').pop() ?? command)) {
      issues.push({
        path: `mcpServers.${name}.command`,
        message: `"${command}" is not in the offline Node base image; set "image" to an image that provides it`,
        found: JSON.stringify(command),
      });
      return undefined;
    }
  }
  if (!command && !entry.image && !build) {
    issues.push({ path: `mcpServers.${name}`, message: 'give a "command", an "image" or a "build" recipe' });
    return undefined;
  }
  return {
    name,
    command,
    args,
    env: entry.env,
    image: entry.image,
    build,
    network: entry.network,
    mounts: entry.mounts,
    limits: entry.limits,
    timeoutMs: entry.timeout,
    workdir: entry.workdir,
    disabled: entry.disabled,
  };
}

function toConfigIssue(issue: z.core.$ZodIssue, input: unknown): ConfigIssue {
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
