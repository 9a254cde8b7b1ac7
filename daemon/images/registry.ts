import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';

/** The user's npm registry settings, passed into npm build containers. */
export interface NpmRegistrySettings {
  registry?: string | undefined;
  /** A CA bundle file on the host; its contents go into the build context. */
  cafile?: string | undefined;
  /** Inline CA certificates (npm's `ca`), used when there is no cafile. */
  ca?: string | undefined;
  proxy?: string | undefined;
  httpsProxy?: string | undefined;
}

/** The user's pip index settings, passed into pip build containers. */
export interface PipIndexSettings {
  indexUrl?: string | undefined;
  /** A CA bundle file on the host (pip's `cert`); its contents go into the build context. */
  cert?: string | undefined;
  proxy?: string | undefined;
}

const NPM_KEYS = ['registry', 'cafile', 'ca', 'proxy', 'https-proxy', 'prefix'] as const;

/** npm's config files in the order npm reads them (later ones override earlier ones), given its prefix. */
export function npmConfigFiles(env: NodeJS.ProcessEnv, prefix: string, home = homedir(), npmDir?: string): string[] {
  return [
    ...(npmDir ? [path.join(npmDir, 'npmrc')] : []),
    env.npm_config_globalconfig || env.NPM_CONFIG_GLOBALCONFIG || path.join(prefix, 'etc', 'npmrc'),
    env.npm_config_userconfig || env.NPM_CONFIG_USERCONFIG || path.join(home, '.npmrc'),
  ];
}

/**
 * The values of one npmrc text for the keys we pass on (npm's ini dialect: `;`/`#` comments, quoted values,
 * `key[]` lists, `${VAR}` expanded from the environment).
 */
export function parseNpmrc(text: string, env: NodeJS.ProcessEnv): Map<string, string> {
  const values = new Map<string, string>();
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith(';') || line.startsWith('#') || line.startsWith('[')) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    let key = line.slice(0, eq).trim();
    const list = key.endsWith('[]');
    if (list) key = key.slice(0, -2);
    if (!(NPM_KEYS as readonly string[]).includes(key)) continue;
    let value = line.slice(eq + 1).trim();
    if (/^"(.*)"$/.test(value)) value = value.slice(1, -1).replace(/\\n/g, '\n');
    value = value.replace(/(\\*)\$\{([^}]+)\}/g, (all: string, esc: string, name: string) =>
      esc.length % 2 === 1 ? all.slice(1) : `${esc}${env[name] ?? ''}`,
    );
    values.set(key, list && values.has(key) ? `${values.get(key)}\n${value}` : value);
  }
  return values;
}

/**
 * Reads the host user's npm registry settings the way npm does, without starting npm (this runs on every recipe
 * lookup): npm's builtin, global and user npmrc files, then `npm_config_*` variables; the proxies default to
 * HTTPS_PROXY/HTTP_PROXY like npm's. A project's .npmrc is not read: mcpd's working directory is nobody's project.
 */
export async function readNpmSettings(
  env: NodeJS.ProcessEnv,
  nodeBinary: string,
  npmDir?: string,
  home = homedir(),
): Promise<NpmRegistrySettings> {
  const merged = new Map<string, string>();
  const read = async (file: string): Promise<void> => {
    const text = await readFile(file, 'utf8').catch(() => undefined);
    if (text !== undefined) for (const [k, v] of parseNpmrc(text, env)) merged.set(k, v);
  };
  const userFile = npmConfigFiles(env, '', home).at(-1) ?? '';
  // The global npmrc lives under the prefix, which the user npmrc or the environment may move.
  const userPrefix = parseNpmrc((await readFile(userFile, 'utf8').catch(() => '')) || '', env).get('prefix');
  const prefix = envValue(env, 'prefix') ?? userPrefix ?? path.dirname(path.dirname(nodeBinary));
  for (const file of npmConfigFiles(env, prefix, home, npmDir)) await read(file);
  for (const key of NPM_KEYS) {
    const value = envValue(env, key);
    if (value !== undefined) merged.set(key, value);
  }
  const unset = (v: string | undefined): string | undefined => (v === undefined || v === '' || v === 'null' ? undefined : v);
  return {
    registry: unset(merged.get('registry')),
    cafile: unset(merged.get('cafile')),
    ca: unset(merged.get('ca')),
    proxy: unset(merged.get('proxy')) ?? unset(env.HTTP_PROXY || env.http_proxy),
    httpsProxy: unset(merged.get('https-proxy')) ?? unset(env.HTTPS_PROXY || env.https_proxy || env.HTTP_PROXY || env.http_proxy),
  };
}

/** An `npm_config_<key>` variable, in any case, with `-` written as `_` (npm accepts both). */
function envValue(env: NodeJS.ProcessEnv, key: string): string | undefined {
  const wanted = `npm_config_${key.replace(/-/g, '_')}`;
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && name.toLowerCase().replace(/-/g, '_') === wanted) return value;
  }
  return undefined;
}

/** pip's config files in the order pip reads them (later ones override earlier ones). */
export function pipConfigFiles(env: NodeJS.ProcessEnv, home = homedir()): string[] {
  if (env.PIP_CONFIG_FILE === '/dev/null') return [];
  const xdgDirs = (env.XDG_CONFIG_DIRS || '/etc/xdg').split(':').filter(Boolean);
  const files = [...xdgDirs.map((d) => path.join(d, 'pip', 'pip.conf')), '/etc/pip.conf'];
  files.push(path.join(home, '.pip', 'pip.conf'), path.join(env.XDG_CONFIG_HOME || path.join(home, '.config'), 'pip', 'pip.conf'));
  if (env.PIP_CONFIG_FILE) files.push(env.PIP_CONFIG_FILE);
  return files;
}

/** The `[global]` then `[install]` values of one pip config file's text (INI; `index_url` = `index-url`). */
export function parsePipConfig(text: string): Map<string, string> {
  const sections = new Map<string, Map<string, string>>();
  let current: Map<string, string> | undefined;
  let lastKey: string | undefined;
  for (const raw of text.split('\n')) {
    if (/^\s*[#;]/.test(raw) || !raw.trim()) continue;
    const section = /^\s*\[([^\]]+)\]\s*$/.exec(raw);
    if (section?.[1]) {
      current = sections.get(section[1].trim()) ?? new Map<string, string>();
      sections.set(section[1].trim(), current);
      lastKey = undefined;
      continue;
    }
    if (/^\s/.test(raw) && current && lastKey) {
      // A continuation line (multi-value options such as extra-index-url): the first value is what we use.
      continue;
    }
    const kv = /^\s*([^=:\s]+)\s*[=:]\s*(.*)$/.exec(raw);
    if (kv?.[1] && current) {
      lastKey = kv[1].toLowerCase().replace(/_/g, '-');
      current.set(lastKey, (kv[2] ?? '').trim());
    }
  }
  return new Map([...(sections.get('global') ?? []), ...(sections.get('install') ?? [])]);
}

/** Reads pip's index-url, cert and proxy from its config files, then PIP_* and proxy variables (pip's order). */
export async function readPipSettings(env: NodeJS.ProcessEnv = process.env, home = homedir()): Promise<PipIndexSettings> {
  const merged = new Map<string, string>();
  for (const file of pipConfigFiles(env, home)) {
    const text = await readFile(file, 'utf8').catch(() => undefined);
    if (text !== undefined) for (const [k, v] of parsePipConfig(text)) merged.set(k, v);
  }
  const pick = (key: string, envName: string): string | undefined => (env[envName] || merged.get(key) || undefined)?.split(/\s+/)[0];
  const expand = (p: string | undefined): string | undefined => (p?.startsWith('~/') ? path.join(home, p.slice(2)) : p);
  return {
    indexUrl: pick('index-url', 'PIP_INDEX_URL'),
    cert: expand(pick('cert', 'PIP_CERT')),
    proxy: pick('proxy', 'PIP_PROXY') ?? (env.HTTPS_PROXY || env.https_proxy || undefined),
  };
}

/** A URL with any `user:password@` removed: for hashes, labels and messages. */
export function withoutCredentials(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@\s]*@/i, '$1');
}

/** Masks credentials in URLs anywhere in a line of build output. */
export function redactCredentials(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^/@\s:]+(:[^/@\s]*)?@/gi, '$1***@');
}
