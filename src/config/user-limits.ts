import { McpgwError } from '../errors.js';
import { matchGlobs } from '../policy/glob.js';
import type { DaemonSettings } from './settings.js';

/** What one user may do on a shared daemon: which servers, and how many sessions, containers and open questions. */
export interface UserLimits {
  user: string;
  /** Server names or globs; undefined = every server. */
  servers: readonly string[] | undefined;
  maxSessions: number;
  maxContainers: number;
  maxPendingQuestions: number;
  /** The config key that set these limits, for error messages (`daemon.users.bob`, `daemon.userDefaults`, ...). */
  source: string;
}

/**
 * The limits of `user`: their `daemon.users` entry over `daemon.userDefaults`. The daemon's owner (whose token is in
 * the state dir) is not limited per user unless listed: the global caps still apply.
 */
export function limitsFor(settings: Pick<DaemonSettings, 'users' | 'userDefaults'>, user: string, owner?: string): UserLimits {
  const listed = Object.hasOwn(settings.users, user) ? settings.users[user] : undefined;
  if (!listed && user === owner) {
    return { user, servers: undefined, maxSessions: Infinity, maxContainers: Infinity, maxPendingQuestions: Infinity, source: 'owner' };
  }
  const d = settings.userDefaults;
  return {
    user,
    servers: listed?.servers ?? d.servers,
    maxSessions: listed?.maxSessions ?? d.maxSessions,
    maxContainers: listed?.maxContainers ?? d.maxContainers,
    maxPendingQuestions: listed?.maxPendingQuestions ?? d.maxPendingQuestions,
    source: listed ? `daemon.users.${user}` : 'daemon.userDefaults',
  };
}

/** True when the user's allowlist admits the server (exact names or globs, case-sensitive like server names). */
export function serverAllowed(limits: UserLimits, server: string): boolean {
  return limits.servers === undefined || matchGlobs(limits.servers, server);
}

/** Why a user may not use a server, or undefined when they may. */
export function serverRefusal(limits: UserLimits, server: string): string | undefined {
  if (serverAllowed(limits, server)) return undefined;
  return `user "${limits.user}" may not use server "${server}" (not in ${limits.source}.servers)`;
}

/** Throws `forbidden` when the user may not use the server. */
export function assertServerAllowed(limits: UserLimits, server: string): void {
  const why = serverRefusal(limits, server);
  if (why) throw new McpgwError('forbidden', why);
}

const KEYS = { sessions: 'maxSessions', containers: 'maxContainers', questions: 'maxPendingQuestions' } as const;
const NOUNS = { sessions: 'open sessions', containers: 'containers', questions: 'pending questions' } as const;

/** Throws `capacity` when `inUse` has reached the user's limit of `what`; the message names the limit and its key. */
export function assertUnderQuota(limits: UserLimits, what: keyof typeof KEYS, inUse: number): void {
  const max = limits[KEYS[what]];
  if (inUse < max) return;
  throw new McpgwError(
    'capacity',
    `user "${limits.user}" is at the limit of ${max} ${NOUNS[what]} (${limits.source}.${KEYS[what]}; ${inUse} in use)`,
  );
}
