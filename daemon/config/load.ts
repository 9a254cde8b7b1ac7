import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { parseCatalog, formatConfigIssues, type Catalog, type ServerConfig } from '../../src/config/catalog.js';
import { McpgwError } from '../../src/errors.js';
import { resolvePaths } from '../../src/paths.js';
import { applyHostPaths, hostPathPolicy } from './host-paths.js';

/** The file of secrets beside the config: KEY=VALUE lines, mode 0600, read when a container starts. */
export const SECRETS_FILE = 'secrets.env';

export interface LoadedConfig {
  catalog: Catalog;
  /** The file read, or undefined when none exists and the defaults apply. */
  file: string | undefined;
  notices: string[];
}

/** Picks the config file: the explicit flag, else $MCPGW_CONFIG, else the XDG config dir. */
export function configFileCandidates(explicit: string | undefined, env = process.env): { files: string[]; required: boolean } {
  if (explicit) return { files: [path.resolve(explicit)], required: true };
  if (env.MCPGW_CONFIG) return { files: [path.resolve(env.MCPGW_CONFIG)], required: true };
  const { configDir } = resolvePaths(env, homedir());
  return { files: ['config.json', 'config.yaml', 'config.yml'].map((f) => path.join(configDir, f)), required: false };
}

/** Reads, validates and resolves the server catalog; a bad file throws `config_invalid` with every issue listed. */
export async function loadConfig(explicit?: string, env = process.env): Promise<LoadedConfig> {
  const { files, required } = configFileCandidates(explicit, env);
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT' && !required) continue;
      throw new McpgwError('config_invalid', `cannot read config file ${file}: ${(err as Error).message}`, { cause: err });
    }
    return { ...parseConfigText(text, file, env), file };
  }
  const empty = parseCatalog({});
  if (!empty.ok) throw new McpgwError('internal', 'the empty config does not validate');
  empty.catalog.secretsFile = path.join(resolvePaths(env, homedir()).configDir, SECRETS_FILE);
  return { catalog: empty.catalog, file: undefined, notices: [] };
}

/**
 * Parses config text (JSON or YAML by extension), resolves host paths relative to the file and checks them: an
 * entry whose paths may not be mounted becomes unavailable, like any entry that cannot run.
 */
export function parseConfigText(text: string, file: string, env: NodeJS.ProcessEnv = process.env): Omit<LoadedConfig, 'file'> {
  let doc: unknown;
  try {
    doc = /\.ya?ml$/i.test(file) ? parseYaml(text) : JSON.parse(text);
  } catch (err) {
    throw new McpgwError('config_invalid', `${file} is not valid ${/\.ya?ml$/i.test(file) ? 'YAML' : 'JSON'}: ${(err as Error).message}`);
  }
  const result = parseCatalog(doc);
  if (!result.ok) {
    throw new McpgwError('config_invalid', `${file} has errors:\n${formatConfigIssues(result.issues)}`, {
      details: { issues: result.issues },
    });
  }
  const { catalog } = result;
  const baseDir = path.dirname(file);
  catalog.secretsFile = path.join(baseDir, SECRETS_FILE);
  const notices = [...result.notices];
  const home = env.HOME || homedir();
  const policy = hostPathPolicy({ env, home, secretsFile: catalog.secretsFile });
  for (const server of catalog.servers.values()) {
    const withPaths = applyHostPaths(resolveRelativePaths(server, baseDir, home), policy);
    if (withPaths.ok) {
      catalog.servers.set(server.name, withPaths.server);
      notices.push(...withPaths.notices.map((n) => `mcpServers.${server.name}: ${n}`));
    } else {
      catalog.servers.delete(server.name);
      catalog.unavailable.set(server.name, { name: server.name, reason: withPaths.reason, path: withPaths.path });
    }
  }
  const { npm, pip } = catalog.sandbox.build;
  if (npm.cafile) npm.cafile = resolveHostPath(npm.cafile, baseDir, home);
  if (pip.cert) pip.cert = resolveHostPath(pip.cert, baseDir, home);
  return { catalog, notices };
}

/** Mount sources, local package specs and env files, made absolute against the config file's directory. */
function resolveRelativePaths(server: ServerConfig, baseDir: string, home: string): ServerConfig {
  const resolve = (p: string): string => resolveHostPath(p, baseDir, home);
  const build = server.build?.pip
    ? { ...server.build, pip: server.build.pip.map((spec) => resolvePipSpec(spec, resolve)) }
    : server.build && { ...server.build, npm: server.build.npm.map((spec) => resolveNpmSpec(spec, resolve)) };
  return {
    ...server,
    build,
    mounts: server.mounts.map((m) => ({ ...m, source: resolve(m.source) })),
    envFiles: server.envFiles.map(resolve),
  };
}

function resolveHostPath(p: string, baseDir: string, home: string): string {
  if (p === '~' || p.startsWith('~/')) return path.join(home, p.slice(1));
  return path.resolve(baseDir, p);
}

/** Local directory and tarball specs are made absolute so the recipe means the same wherever it is built. */
function resolveNpmSpec(spec: string, resolve: (p: string) => string): string {
  if (spec.startsWith('file:')) return `file:${resolve(spec.slice(5))}`;
  if (spec.includes('://')) return spec; // a tarball URL
  if (/^(\.{1,2}\/|\/|~\/)/.test(spec) || /\.(tgz|tar\.gz)$/.test(spec)) return resolve(spec);
  return spec;
}

/** pip's local forms: a project directory (`.`, `./proj`, `/abs/proj`) or an archive (`dist/x.whl`). */
function resolvePipSpec(spec: string, resolve: (p: string) => string): string {
  if (/^(\.{1,2}(\/|$)|\/|~(\/|$))/.test(spec)) return resolve(spec);
  if (!spec.includes('://') && /\.(whl|tar\.gz|zip)$/.test(spec)) return resolve(spec);
  return spec;
}
