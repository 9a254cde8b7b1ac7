import { z } from 'zod';
import { durationSchema, memorySchema } from './units.js';

/** A duration with a default (zod's default is the parsed value, so it is given in milliseconds). */
const duration = (fallback: number) => durationSchema.default(fallback);

export const DEFAULT_PORT = 7450;
export const DEFAULT_MODEL = 'gemini-2.5-flash';

/** One user's limits; a missing key falls back to `daemon.userDefaults`. `servers` holds names or globs (`*`, `?`). */
export const userLimitsSchema = z.strictObject({
  servers: z.array(z.string().min(1).max(200)).max(500).optional(),
  maxSessions: z.number().int().min(0).max(100_000).optional(),
  maxContainers: z.number().int().min(0).max(10_000).optional(),
  maxPendingQuestions: z.number().int().min(0).max(100_000).optional(),
});

/** Limits for users `daemon.users` does not list (the daemon's owner excepted: unlimited unless listed). */
export const userDefaultsSchema = z
  .strictObject({
    servers: z.array(z.string().min(1).max(200)).max(500).default(['*']),
    maxSessions: z.number().int().min(0).max(100_000).default(20),
    maxContainers: z.number().int().min(0).max(10_000).default(16),
    maxPendingQuestions: z.number().int().min(0).max(100_000).default(20),
  })
  .prefault({});

/** The `daemon` section of the config file. */
export const daemonSettingsSchema = z
  .strictObject({
    /** Loopback by default; anything else exposes mcpd to the network and is logged loudly. */
    host: z.string().min(1).default('127.0.0.1'),
    port: z.number().int().min(0).max(65535).default(DEFAULT_PORT),
    idleTimeout: duration(15 * 60_000),
    retention: duration(30 * 86_400_000),
    approvalTimeout: duration(10 * 60_000),
    maxRounds: z.number().int().min(1).max(200).default(25),
    /** Initialised sandboxes kept ready per server, so a session's first call does not wait for a cold start. */
    warmPool: z.record(z.string(), z.number().int().min(0).max(16)).default({}),
    /**
     * Start a new session's sandboxes when the session is created, not at its first message: the cold start then
     * overlaps the time a person takes to type. Costs containers for sessions that never send one (reaped when idle).
     */
    prestart: z.boolean().default(false),
    redisUrl: z.string().min(1).optional(),
    /**
     * When the private Redis fsyncs its append-only file: "everysec" (Redis's default; a crash of Redis or of the
     * machine can lose the last second, a restart loses nothing) or "always" (nothing acknowledged is ever lost,
     * at about 0.5 ms per write).
     */
    redisFsync: z.enum(['everysec', 'always']).default('everysec'),
    redisPrefix: z.string().min(1).max(64).default('mcpgw:'),
    /** The private Redis's memory cap; at the cap writes are refused (never evicted) and requests fail with a clear error. */
    redisMaxMemory: memorySchema.default(1024 ** 3),
    /** One session's event log (what a reload replays), in bytes; past it the oldest events are trimmed. */
    sessionLogSize: memorySchema.default(32 * 1024 ** 2),
    /** One event; a bigger one has its longest texts cut in the middle. */
    maxEventSize: memorySchema.default(64 * 1024),
    /** Auto-build missing recipe images on first use (the CLI's `images build` does it ahead of time). */
    autoBuild: z.boolean().default(true),
    /** Per-user server allowlists and quotas, by the user name a token was added for (`mcpgw daemon token add`). */
    users: z.record(z.string().min(1).max(100), userLimitsSchema).default({}),
    userDefaults: userDefaultsSchema,
  })
  .prefault({});

/** The `gemini` section. The API key belongs in GEMINI_API_KEY rather than a file. */
export const geminiSettingsSchema = z
  .strictObject({
    model: z.string().min(1).default(DEFAULT_MODEL),
    apiKey: z.string().min(1).optional(),
    baseUrl: z.string().url().optional(),
    systemInstruction: z.string().max(20_000).optional(),
  })
  .prefault({});

export const settingsSchema = z.looseObject({
  daemon: daemonSettingsSchema,
  gemini: geminiSettingsSchema,
  /** The default policy of new sessions: a preset name ("ask", "read-only", "all") or a policy file path. */
  policy: z.string().min(1).default('ask'),
});

export type DaemonSettings = z.output<typeof daemonSettingsSchema>;
export type GeminiSettings = z.output<typeof geminiSettingsSchema>;
export type Settings = z.output<typeof settingsSchema>;
