/**
 * Secrets for servers: `${VAR}` references in a server's env values and args are expanded when its container
 * starts, from mcpd's environment first, then `secrets.env` beside the config. Values live only in the returned
 * objects that go into the container create call: never in the catalog, errors, logs, Redis or events. Error
 * messages name variables and files, never values.
 */
import { open } from 'node:fs/promises';
import type { ServerConfig } from '../../src/config/catalog.js';
import { expandTemplate, templateRefs } from '../../src/config/templates.js';
import { McpgwError } from '../../src/errors.js';

export type EnvFileState = { kind: 'absent' } | { kind: 'refused'; reason: string } | { kind: 'ok'; values: Map<string, string> };

const KEY = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

/** Parses KEY=VALUE lines (`#` comments, optional `export `, optional quotes); a bad line is reported by number only. */
export function parseEnvLines(text: string): { values: Map<string, string> } | { badLine: number } {
  const values = new Map<string, string>();
  const lines = text.split(/\r?\n/);
  for (const [i, raw] of lines.entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const body = line.startsWith('export ') ? line.slice(7).trimStart() : line;
    const eq = body.indexOf('=');
    const key = eq === -1 ? '' : body.slice(0, eq).trim();
    if (!KEY.test(key)) return { badLine: i + 1 };
    let value = body.slice(eq + 1).trim();
    const quote = value[0];
    if ((quote === '"' || quote === "'") && value.length >= 2 && value.endsWith(quote)) {
      value = value.slice(1, -1);
      if (quote === '"') value = value.replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
    }
    values.set(key, value);
  }
  return { values };
}

/**
 * Reads a KEY=VALUE file of secrets. Refused unless it is a regular file owned by this user that nobody else may
 * read or write (mode 0600 or stricter): a secret file others can read is already leaked, one others can write
 * lets them choose what a server gets. Checked on the open descriptor, so the file checked is the file read.
 */
export async function readSecretsFile(file: string, uid = process.getuid?.()): Promise<EnvFileState> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'absent' };
    return { kind: 'refused', reason: `${file} cannot be read: ${(err as NodeJS.ErrnoException).code ?? 'error'}` };
  }
  try {
    const st = await handle.stat();
    if (!st.isFile()) return { kind: 'refused', reason: `${file} is not a regular file` };
    if (uid !== undefined && st.uid !== uid) {
      return { kind: 'refused', reason: `${file} is owned by uid ${st.uid}, not by you (uid ${uid}); it must be yours` };
    }
    if ((st.mode & 0o077) !== 0) {
      const mode = (st.mode & 0o777).toString(8).padStart(4, '0');
      return { kind: 'refused', reason: `${file} has mode ${mode}, others may read or change it; run: chmod 600 ${file}` };
    }
    const parsed = parseEnvLines(await handle.readFile('utf8'));
    if ('badLine' in parsed) return { kind: 'refused', reason: `${file} line ${parsed.badLine} is not KEY=VALUE` };
    return { kind: 'ok', values: parsed.values };
  } finally {
    await handle.close();
  }
}

export interface ResolvedSecrets {
  env: Record<string, string>;
  args: string[];
}

/** Resolves secret references for servers from an environment and a secrets.env file. */
export class SecretResolver {
  constructor(
    private readonly opts: {
      env: NodeJS.ProcessEnv;
      /** secrets.env beside the config; undefined: the environment only. */
      file: string | undefined;
      uid?: number | undefined;
    },
  ) {}

  /** Why the server cannot start for lack of a secret or an env file (checks presence only), or undefined. */
  async check(server: ServerConfig): Promise<string | undefined> {
    try {
      await this.resolve(server);
      return undefined;
    } catch (err) {
      if (err instanceof McpgwError && err.code === 'server_unavailable') return err.message;
      throw err;
    }
  }

  /** The server's env and args with every reference expanded; throws `server_unavailable` naming what is missing. */
  async resolve(server: ServerConfig): Promise<ResolvedSecrets> {
    const { refs } = templateRefs([...Object.values(server.env), ...server.args]);
    const fromEnv = (name: string): string | undefined => this.opts.env[name];
    const needFile = refs.some((r) => fromEnv(r.name) === undefined);
    const file: EnvFileState = needFile && this.opts.file ? await readSecretsFile(this.opts.file, this.opts.uid) : { kind: 'absent' };
    const lookup = (name: string): string | undefined => fromEnv(name) ?? (file.kind === 'ok' ? file.values.get(name) : undefined);
    const missing = new Set<string>();
    const env: Record<string, string> = {};
    for (const envFile of server.envFiles) {
      const state = await readSecretsFile(envFile, this.opts.uid);
      if (state.kind === 'absent') throw unavailable(server, `its env file ${envFile} does not exist`);
      if (state.kind === 'refused') throw unavailable(server, `its env file was refused: ${state.reason}`);
      for (const [k, v] of state.values) env[k] = v;
    }
    for (const [k, v] of Object.entries(server.env)) env[k] = expandTemplate(v, lookup, missing);
    const args = server.args.map((a) => expandTemplate(a, lookup, missing));
    if (missing.size > 0) {
      const names = [...missing];
      const where = `mcpd's environment${this.opts.file ? ` or ${this.opts.file}` : ''}`;
      const refused = file.kind === 'refused' ? `; ${file.reason}` : '';
      throw unavailable(
        server,
        `secret${names.length === 1 ? '' : 's'} ${names.join(', ')} ${names.length === 1 ? 'is' : 'are'} not set in ${where}${refused}`,
      );
    }
    return { env, args };
  }
}

function unavailable(server: ServerConfig, why: string): McpgwError {
  return new McpgwError('server_unavailable', `server "${server.name}" cannot start: ${why}`);
}
