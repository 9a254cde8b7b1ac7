import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { parseCatalog, formatConfigIssues, type Catalog } from '../../src/config/catalog.js';
import { McpgwError } from '../../src/errors.js';
import { resolvePaths } from '../../src/paths.js';

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
    return { ...parseConfigText(text, file), file };
  }
  const empty = parseCatalog({});
  if (!empty.ok) throw new McpgwError('internal', 'the empty config does not validate');
  return { catalog: empty.catalog, file: undefined, notices: [] };
}

/** Parses config text (JSON or YAML by extension) and resolves host paths relative to the file. */
export function parseConfigText(text: string, file: string): Omit<LoadedConfig, 'file'> {
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
  const baseDir = path.dirname(file);
  for (const server of result.catalog.servers.values()) {
    server.mounts = server.mounts.map((m) => ({ ...m, source: resolveHostPath(m.source, baseDir) }));
    if (server.build?.npm) server.build.npm = server.build.npm.map((spec) => resolveNpmSpec(spec, baseDir));
    if (server.build?.pip) server.build.pip = server.build.pip.map((spec) => resolvePipSpec(spec, baseDir));
  }
  const { npm, pip } = result.catalog.sandbox.build;
  if (npm.cafile) npm.cafile = resolveHostPath(npm.cafile, baseDir);
  if (pip.cert) pip.cert = resolveHostPath(pip.cert, baseDir);
  return { catalog: result.catalog, notices: result.notices };
}

function resolveHostPath(p: string, baseDir: string): string {
  if (p === '~' || p.startsWith('~/')) return path.join(homedir(), p.slice(1));
  return path.resolve(baseDir, p);
}

/** Local directory and tarball specs are made absolute so the recipe means the same wherever it is built. */
function resolveNpmSpec(spec: string, baseDir: string): string {
  if (spec.startsWith('file:')) return `file:${resolveHostPath(spec.slice(5), baseDir)}`;
  if (spec.includes('://')) return spec; // a tarball URL
  if (/^(\.{1,2}\/|\/|~\/)/.test(spec) || /\.(tgz|tar\.gz)$/.test(spec)) return resolveHostPath(spec, baseDir);
  return spec;
}

/** Local wheels, sdists and project directories are made absolute, like npm's; extras (`./proj[cli]`) are kept. */
export function resolvePipSpec(spec: string, baseDir: string): string {
  if (spec.includes('://') || spec.includes(' @ ')) return spec; // a URL or a PEP 508 direct reference
  const extras = /^(.*?)(\[[^\]/]*\])?$/.exec(spec);
  const target = extras?.[1] ?? spec;
  if (/^(\.{1,2}\/|\/|~\/)/.test(target) || /\.(whl|tar\.gz|zip)$/.test(target))
    return `${resolveHostPath(target, baseDir)}${extras?.[2] ?? ''}`;
  return spec;
}
