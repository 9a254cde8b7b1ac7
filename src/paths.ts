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
