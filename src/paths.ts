/**
 * Where mcpgw keeps its files, following the XDG base directory spec. Pure: callers pass the environment and home
 * directory, so the web bundle and tests can use it without Node.
 */
export interface McpgwPaths {
  configDir: string;
  configFile: string;
  stateDir: string;
  cacheDir: string;
}

export type Env = Readonly<Record<string, string | undefined>>;

function join(...parts: string[]): string {
  return parts.join('/').replace(/\/+/g, '/');
}

/** Resolves mcpgw's config, state and cache directories from XDG variables (or their defaults under `home`). */
export function resolvePaths(env: Env, home: string): McpgwPaths {
  const configDir = join(env.XDG_CONFIG_HOME || join(home, '.config'), 'mcpgw');
  const stateDir = env.MCPGW_STATE_DIR || join(env.XDG_STATE_HOME || join(home, '.local/state'), 'mcpgw');
  const cacheDir = join(env.XDG_CACHE_HOME || join(home, '.cache'), 'mcpgw');
  return { configDir, configFile: join(configDir, 'config.json'), stateDir, cacheDir };
}

/**
 * The names of the files in the state directory, in one place so mcpd, which writes them, and its clients, which read
 * them, cannot drift apart. Every file there is created 0600 in a 0700 directory.
 */
export const STATE_FILES = {
  /** How clients find the running mcpd: its URL, pid and instance (written by mcpd after it listens). */
  daemonInfo: 'daemon.json',
  /** One mcpd per state directory: holds the owning instance id. */
  lock: 'mcpd.lock',
  /** mcpd's JSON log (rotated beside itself). */
  log: 'mcpd.log',
  /** stdout and stderr of an mcpd a client started in the background. */
  startOutput: 'mcpd.out',
  /** The owner's token, created on first start. */
  ownerToken: 'token',
  /** Hashes of every token and who each admits. */
  tokens: 'tokens.json',
  /** Hashes of browser credentials traded for one-time codes. */
  webSessions: 'web-sessions.json',
  /** The private Redis's directory (its socket and data). */
  redisDir: 'redis',
} as const;

/** The path of one of the state directory's files. */
export function stateFile(stateDir: string, name: keyof typeof STATE_FILES): string {
  return join(stateDir, STATE_FILES[name]);
}
