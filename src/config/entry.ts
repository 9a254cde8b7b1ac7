/**
 * One validated `mcpServers` entry → what the sandbox runs: pasted launchers (npx, uvx, pipx, python, node,
 * docker run) are translated, secret templates checked, defaults kept. Host paths are the loader's job (they need
 * the filesystem). Pure.
 */
import type { z } from 'zod';
import type { ServerConfig } from './catalog.js';
import { convertDockerRun } from './docker-run.js';
import { commandBase, convertLauncher, type BuildRecipe, type Runtime } from './launchers.js';
import { limitsSchema, type serverEntrySchema } from './schema.js';
import { templateRefs } from './templates.js';
import { allowlistNotice, suggestedHosts } from './known-hosts.js';

type ParsedEntry = z.output<typeof serverEntrySchema>;

export type ConvertedEntry =
  | { ok: true; server: Omit<ServerConfig, 'name'>; notices: string[] }
  | { ok: false; reason: string; /** relative to the entry */ path?: string };

const PYTHON = /^python(3(\.\d+)*)?$/;

function recipe(build: ParsedEntry['build']): BuildRecipe | undefined {
  if (!build) return undefined;
  const { npm, pip, ...rest } = build;
  const extra = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined));
  return pip ? { pip, ...extra } : { npm: npm ?? [], ...extra };
}

/** Translates a validated entry; `raw` is the entry as written (to tell set fields from defaults). */
export function convertEntry(entry: ParsedEntry, raw: Record<string, unknown>): ConvertedEntry {
  let { command, args, env, image, network, mounts, workdir, limits } = entry;
  let build = recipe(entry.build);
  let runtime: Runtime = build?.pip ? 'python' : 'node';
  const envFiles = entry.envFile === undefined ? [] : [entry.envFile];
  const notices: string[] = [];

  if (command && !image && !build) {
    const docker = convertDockerRun(command, args, env);
    if (docker && !docker.ok) return { ok: false, path: 'args', reason: docker.reason };
    if (docker) {
      if (docker.network && raw.network !== undefined && entry.network !== docker.network) {
        const said = typeof entry.network === 'string' ? entry.network : 'an allowlist';
        return { ok: false, path: 'network', reason: `"network" says ${said} but the docker flags say ${docker.network}` };
      }
      const merged = limitsSchema.safeParse({ ...(raw.limits as object | undefined), ...docker.limits });
      if (!merged.success) {
        return { ok: false, path: 'args', reason: `docker resource flags: ${merged.error.issues.map((i) => i.message).join('; ')}` };
      }
      ({ image, command, args, env } = docker);
      envFiles.push(...docker.envFiles);
      mounts = [...mounts, ...docker.mounts];
      workdir = docker.workdir ?? workdir;
      network = docker.network ?? network;
      limits = merged.data;
      notices.push(...docker.notices);
    } else {
      const launched = convertLauncher(command, args);
      if (launched && !launched.ok) return { ok: false, path: 'command', reason: launched.reason };
      if (launched) {
        ({ command, args, runtime, build } = launched);
        notices.push(...launched.notices);
      }
    }
  } else if (command && !image && build?.pip && PYTHON.test(commandBase(command))) {
    // The Python base has python3; a pasted `python` means the same.
    command = 'python3';
  }
  if (!command && !image && !build) return { ok: false, reason: 'give a "command", an "image" or a "build" recipe' };
  // A pasted entry (something was converted) left without a network: say what it is known to need, grant nothing.
  if (notices.length > 0 && raw.network === undefined && network === 'none') {
    const hosts = suggestedHosts({ packages: build?.npm ?? build?.pip ?? [], image, args });
    if (hosts) notices.push(allowlistNotice(hosts));
  }

  const { problems } = templateRefs([...Object.values(env), ...args]);
  if (problems.length > 0) {
    return { ok: false, reason: problems.map((p) => `${p.text}: ${p.reason}`).join('; ') };
  }
  return {
    ok: true,
    server: {
      command,
      args,
      env,
      envFiles,
      image,
      build,
      runtime,
      network,
      mounts,
      limits,
      timeoutMs: entry.timeout,
      maxTotalTimeoutMs: entry.maxTotalTimeout ?? 10 * entry.timeout,
      workdir,
      disabled: entry.disabled,
      ...(entry.runtime === undefined ? {} : { sandboxRuntime: entry.runtime }),
    },
    notices,
  };
}
