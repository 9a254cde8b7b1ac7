import { z } from 'zod';
import { networkSchema } from './egress.js';
import { runtimeSettingSchema } from './sandbox-runtime.js';
import { settingsSchema } from './settings.js';
import { durationSchema, memorySchema } from './units.js';

/** Server names become part of Gemini function names (`server__tool`) and Docker labels. */
export const SERVER_NAME_PATTERN = /^[A-Za-z0-9](?:[A-Za-z0-9-]|_(?!_))*$/;

const memory = memorySchema;
const duration = durationSchema;

const mountObject = z.strictObject({
  source: z.string().min(1),
  target: z.string().startsWith('/', 'must be an absolute path inside the container'),
  readOnly: z.boolean().default(true),
});

/** "host:container[:ro|rw]" or an object; read-only unless `rw`/`readOnly: false` says otherwise. */
const mount = z.union([
  z
    .string()
    .regex(/^[^:]+:\/[^:]*(:(ro|rw))?$/, 'expected "HOST_PATH:/CONTAINER_PATH[:ro|rw]"')
    .transform((spec) => {
      const [source = '', target = '', mode] = spec.split(':');
      return { source, target, readOnly: mode !== 'rw' };
    }),
  mountObject,
]);

export const DEFAULT_LIMITS = { memory: 512 * 1024 ** 2, cpus: 0.5, pids: 128, outputRate: 64 * 1024, outputLines: 200 } as const;

/** Resource limits; unset fields take the locked-down defaults. */
export const limitsSchema = z
  .strictObject({
    memory: memory.optional(),
    cpus: z.number().positive().max(64).optional(),
    pids: z.number().int().min(8).max(4096).optional(),
    /** Server output for people (stderr, log and progress messages, error text), per second; the rest is dropped. */
    outputRate: memory.optional(),
    outputLines: z.number().int().min(1).max(100_000).optional(),
  })
  .default({})
  .transform((l) => ({
    memoryBytes: l.memory ?? DEFAULT_LIMITS.memory,
    nanoCpus: Math.round((l.cpus ?? DEFAULT_LIMITS.cpus) * 1e9),
    pids: l.pids ?? DEFAULT_LIMITS.pids,
    outputBytesPerSecond: l.outputRate ?? DEFAULT_LIMITS.outputRate,
    outputLinesPerSecond: l.outputLines ?? DEFAULT_LIMITS.outputLines,
  }));

const httpUrl = z.string().regex(/^https?:\/\/\S+$/, 'expected an http(s) URL');
const indexUrl = z.string().regex(/^(https?|file):\/\/\S+$/, 'expected an http(s) or file:// URL');

/** Package specs go to the package manager as arguments: an option there would change what it does. */
const packageSpecs = (tool: string) =>
  z
    .array(
      z
        .string()
        .min(1)
        .refine((spec) => !spec.startsWith('-'), 'expected a package spec, not an option'),
    )
    .min(1, `list at least one ${tool} package spec`);

/** A recipe installs npm packages (Node base) or pip packages (Python base): exactly one of the two. */
const build = z
  .strictObject({
    npm: packageSpecs('npm').optional(),
    pip: packageSpecs('pip').optional(),
    /** A pulled image to build on instead of the offline base made from the host's node or python3. */
    base: z.string().min(1).optional(),
    /** npm only: run the packages' lifecycle scripts, inside the build container (never on the host). */
    scripts: z.boolean().optional(),
    /** pip only: the index to install from, instead of sandbox.build.pip.indexUrl or the user's pip config. */
    indexUrl: indexUrl.optional(),
  })
  .superRefine((b, ctx) => {
    if ((b.npm === undefined) === (b.pip === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'give exactly one of "npm" or "pip"' });
    }
    if (b.scripts !== undefined && b.pip) {
      ctx.addIssue({ code: 'custom', message: '"scripts" applies to npm recipes', path: ['scripts'] });
    }
    if (b.indexUrl !== undefined && b.npm) {
      ctx.addIssue({ code: 'custom', message: '"indexUrl" applies to pip recipes (npm: sandbox.build.npm.registry)', path: ['indexUrl'] });
    }
  });

/** Remote transports other clients write; mcpgw cannot sandbox a server it does not run. */
export const REMOTE_TYPES = ['http', 'sse', 'streamable-http', 'streamableHttp'] as const;

/** One `mcpServers` entry as users write it: the common MCP client shape plus sandbox fields. */
export const serverEntrySchema = z
  .strictObject({
    command: z.string().min(1).optional(),
    args: z.array(z.string()).default([]),
    env: z.record(z.string(), z.string()).default({}),
    image: z.string().min(1).optional(),
    build: build.optional(),
    network: networkSchema.default('none'),
    mounts: z.array(mount).default([]),
    limits: limitsSchema,
    timeout: duration.default(60_000),
    /** A call's limit however much progress it reports (progress restarts `timeout`, never this); default 10 × timeout. */
    maxTotalTimeout: duration.optional(),
    workdir: z.string().startsWith('/').optional(),
    /** The container runtime for this server alone (runc, runsc = gVisor, auto); unset: sandbox.runtime. */
    runtime: runtimeSettingSchema.optional(),
    disabled: z.boolean().default(false),
    // Written by other MCP clients; accepted so pasted configs parse. Remote entries (url, type http/sse) never get
    // here: parseCatalog marks them unavailable first.
    type: z.literal('stdio').optional(),
    /** A KEY=VALUE file read when the container starts (VS Code's `envFile`; docker's `--env-file`). */
    envFile: z.string().min(1).optional(),
  })
  .superRefine((entry, ctx) => {
    if (entry.image && entry.build) {
      ctx.addIssue({ code: 'custom', message: 'give either "image" or "build", not both', path: ['image'] });
    }
    if (entry.maxTotalTimeout !== undefined && entry.maxTotalTimeout < entry.timeout) {
      ctx.addIssue({ code: 'custom', message: 'must be at least "timeout"', path: ['maxTotalTimeout'] });
    }
  });

export type ServerEntryInput = z.input<typeof serverEntrySchema>;

/** How recipes are built: in a throwaway container, with the registry settings it needs. */
const buildSettingsSchema = z
  .strictObject({
    timeout: duration.default(600_000),
    memory: memory.default(2 * 1024 ** 3),
    /** Override the host user's npm config (`npm config get registry cafile`). */
    npm: z.strictObject({ registry: httpUrl.optional(), cafile: z.string().min(1).optional() }).default({}),
    /** Override the host user's pip config (`index-url`, `cert`). */
    pip: z.strictObject({ indexUrl: indexUrl.optional(), cert: z.string().min(1).optional() }).default({}),
  })
  .default({ timeout: 600_000, memory: 2 * 1024 ** 3, npm: {}, pip: {} });

export type BuildSettings = z.output<typeof buildSettingsSchema>;

export const sandboxSettingsSchema = z
  .strictObject({
    /** A pulled image with node to build recipes on; unset means the offline base made from the host's node. */
    baseImage: z.string().min(1).optional(),
    /** A pulled image with python3 and pip; unset means the offline base made from the host's python3. */
    pythonBaseImage: z.string().min(1).optional(),
    maxContainers: z.number().int().positive().default(64),
    maxConcurrentStarts: z.number().int().positive().default(4),
    maxMessageSize: memory.default(16 * 1024 ** 2),
    startTimeout: duration.default(30_000),
    build: buildSettingsSchema,
    /** Forces the engine: unix:///path, tcp://host:port, ssh://user@host, or `docker` / `podman` (their sockets). */
    engine: z.string().min(1).optional(),
    /** A remote (TCP/SSH) engine sees this machine's paths, so host-path mounts are allowed with it. */
    sharedFilesystem: z.boolean().default(false),
    /** Starts sandboxes even where the engine would ignore their memory/CPU/pids limits (rootless on cgroup v1). */
    allowUnenforcedLimits: z.boolean().default(false),
    /** runc (the engine's native runtime), runsc (gVisor: refused where the engine lacks it), auto (runsc if there). */
    runtime: runtimeSettingSchema.default('runc'),
    /**
     * Keep one created, never-started container per server for the next start (no process, CPU or memory while it
     * waits): made at mcpd's start for each server whose image is built and after each start; removed after the
     * idle timeout. false makes every start create its own.
     */
    standby: z.boolean().default(true),
  })
  .default({
    maxContainers: 64,
    maxConcurrentStarts: 4,
    maxMessageSize: 16 * 1024 ** 2,
    startTimeout: 30_000,
    build: { timeout: 600_000, memory: 2 * 1024 ** 3, npm: {}, pip: {} },
    sharedFilesystem: false,
    allowUnenforcedLimits: false,
    runtime: 'runc',
    standby: true,
  });

export type SandboxSettings = z.output<typeof sandboxSettingsSchema>;

/**
 * The file's top level. Each `mcpServers` entry is validated on its own (serverEntrySchema) so one bad entry makes
 * only that server unavailable; a bad top level or section still rejects the file.
 */
export const configFileSchema = settingsSchema.extend({
  mcpServers: z.record(z.string(), z.unknown()).default({}),
  sandbox: sandboxSettingsSchema,
});

export type ConfigFileInput = z.input<typeof configFileSchema> & { mcpServers?: Record<string, ServerEntryInput> };
