import { z } from 'zod';
import { networkSchema } from './egress.js';
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

export const DEFAULT_LIMITS = { memory: 512 * 1024 ** 2, cpus: 0.5, pids: 128 } as const;

const limits = z
  .strictObject({
    memory: memory.optional(),
    cpus: z.number().positive().max(64).optional(),
    pids: z.number().int().min(8).max(4096).optional(),
  })
  .default({})
  .transform((l) => ({
    memoryBytes: l.memory ?? DEFAULT_LIMITS.memory,
    nanoCpus: Math.round((l.cpus ?? DEFAULT_LIMITS.cpus) * 1e9),
    pids: l.pids ?? DEFAULT_LIMITS.pids,
  }));

const build = z.strictObject({
  npm: z.array(z.string().min(1)).min(1, 'list at least one npm package spec'),
  /** A pulled Node image to build on instead of the offline base made from the host's node. */
  base: z.string().min(1).optional(),
});

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
    limits,
    timeout: duration.default(60_000),
    workdir: z.string().startsWith('/').optional(),
    disabled: z.boolean().default(false),
    // Written by other MCP clients; accepted so pasted configs parse.
    type: z.literal('stdio').optional(),
    url: z.never({ error: 'remote (url) servers are not supported: mcpgw only runs stdio servers in its sandbox' }).optional(),
  })
  .superRefine((entry, ctx) => {
    if (entry.image && entry.build) {
      ctx.addIssue({ code: 'custom', message: 'give either "image" or "build", not both', path: ['image'] });
    }
  });

export type ServerEntryInput = z.input<typeof serverEntrySchema>;

export const sandboxSettingsSchema = z
  .strictObject({
    /** A pulled image with node to build recipes on; unset means the offline base made from the host's node. */
    baseImage: z.string().min(1).optional(),
    maxContainers: z.number().int().positive().default(64),
    maxConcurrentStarts: z.number().int().positive().default(4),
    maxMessageSize: memory.default(16 * 1024 ** 2),
    startTimeout: duration.default(30_000),
  })
  .default({
    maxContainers: 64,
    maxConcurrentStarts: 4,
    maxMessageSize: 16 * 1024 ** 2,
    startTimeout: 30_000,
  });

export type SandboxSettings = z.output<typeof sandboxSettingsSchema>;

export const configFileSchema = settingsSchema.extend({
  mcpServers: z
    .record(z.string().regex(SERVER_NAME_PATTERN, 'server names use letters, digits, "-" and single "_"'), serverEntrySchema)
    .default({}),
  sandbox: sandboxSettingsSchema,
});

export type ConfigFileInput = z.input<typeof configFileSchema>;
