import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { statfs } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import type { CommandIO } from '../io.js';
import type { GlobalOptions } from '../options.js';
import type { Catalog, ServerConfig } from '../../src/config/catalog.js';
import { errorMessage } from '../../src/errors.js';
import { EXIT } from '../../src/exit-codes.js';
import { resolvePaths } from '../../src/paths.js';
import { formatSize } from '../../src/text/table.js';
import { loadConfig } from '../../daemon/config/load.js';
import { TEST_EGRESS_ENV, testEgressFrom, testEgressWarning } from '../../daemon/egress/test-override.js';
import type { EngineInfo } from '../../daemon/sandbox/engine.js';
import { PODMAN_IGNORES_RUNTIME, unenforcedLimitsWarning } from '../../daemon/sandbox/flavor.js';
import { openLocalSandboxes, type LocalSandboxes } from './sandboxes.js';
import { readinessOf, serverStates } from '../../daemon/config/availability.js';
import { createLaunchResolver } from '../../daemon/config/launch.js';

const run = promisify(execFile);

type Status = 'ok' | 'warn' | 'fail';

export interface Check {
  name: string;
  status: Status;
  detail: string;
  /** What to do about it, in words, when the status is not ok. */
  fix?: string;
}

/** Below this much free space an image build or Redis's append-only file may fail. */
const LOW_DISK_BYTES = 2 * 1024 ** 3;

/** `mcpgw doctor`: one line per thing mcpgw needs, with the fix in words; non-zero exit when something fails. */
export async function doctor(opts: GlobalOptions, io: CommandIO): Promise<number> {
  const checks: Check[] = [];
  const add = (check: Check): void => {
    checks.push(check);
    if (!opts.json) io.out(formatCheck(check));
  };

  let catalog: Catalog | undefined;
  try {
    const loaded = await loadConfig(opts.config);
    catalog = loaded.catalog;
    add({ name: 'config', status: 'ok', detail: `${loaded.file ?? 'no config file (defaults)'}; ${catalog.servers.size} server(s)` });
  } catch (err) {
    add({
      name: 'config',
      status: 'fail',
      detail: errorMessage(err).split('\n')[0] ?? '',
      fix: 'fix the file (mcpgw servers ls shows every problem)',
    });
  }

  const testEgress = testEgressCheck(process.env);
  if (testEgress) add(testEgress);

  let local: ReturnType<typeof openLocalSandboxes> | undefined;
  let openFailure: unknown;
  try {
    local = catalog ? openLocalSandboxes(catalog, { build: false }) : undefined;
  } catch (err) {
    openFailure = err; // a bad sandbox.engine or unreadable TLS file: the engine check below reports it
  }
  let engine: EngineInfo | undefined;
  try {
    if (openFailure !== undefined) throw openFailure;
    if (!local) throw new Error('no config');
    engine = await local.engine.describe();
    add({
      name: 'engine',
      status: 'ok',
      detail: `${engine.name} ${engine.version} at ${local.engine.endpoint?.display ?? 'the default socket'} (API ${engine.apiVersion}, ${engine.os}, cgroup v${engine.cgroupVersion})`,
    });
    add(limitsCheck(engine, catalog?.sandbox.allowUnenforcedLimits ?? false));
    // Podman lists runsc but cannot run it per container (flavor.ts): gVisor is not there, whatever /info says.
    const podman = engine.facts.kind === 'podman';
    const runsc = !podman && engine.runtimes.includes('runsc') && engine.runtimes.includes('runsc-net');
    // gVisor is asked for (sandbox.runtime or a server's runtime) but missing: those servers cannot start.
    const wanted = catalog?.sandbox.runtime === 'runsc' || [...(catalog?.servers.values() ?? [])].some((s) => s.sandboxRuntime === 'runsc');
    add({
      name: 'runtimes',
      status: runsc || !wanted ? 'ok' : 'fail',
      detail: `${engine.runtimes.join(', ')} (default ${engine.defaultRuntime}; sandboxes: ${catalog?.sandbox.runtime ?? 'runc'})${runsc ? '' : podman ? `; no gVisor: ${PODMAN_IGNORES_RUNTIME}` : '; gVisor (runsc and runsc-net) not registered'}`,
      ...(runsc || !wanted
        ? {}
        : {
            fix: podman
              ? 'use Docker with scripts/gvisor.sh for gVisor, or set "runtime": "runc"'
              : 'sudo scripts/gvisor.sh (installs runsc and registers it with Docker), or set "runtime": "runc"',
          }),
    });
  } catch (err) {
    add({
      name: 'engine',
      status: 'fail',
      detail: errorMessage(err),
      fix: "start Docker (or Podman's API service) and make sure your user can reach its socket, or set DOCKER_HOST / sandbox.engine",
    });
  }

  add(await redisCheck(catalog));
  add(geminiCheck(catalog));

  if (catalog && local && engine) {
    const runtimes = new Set(['node' as const, ...[...catalog.servers.values()].map((s) => s.runtime)]);
    for (const kind of runtimes) {
      const tag = await local.builder.baseTag(kind).catch((err: unknown) => err as Error);
      if (tag instanceof Error) {
        add({
          name: `base (${kind})`,
          status: 'fail',
          detail: errorMessage(tag),
          fix: 'install python3 with pip, or set sandbox.pythonBaseImage',
        });
        continue;
      }
      const present = await local.engine.inspectImage(tag);
      add(
        present
          ? { name: `base (${kind})`, status: 'ok', detail: `${tag}, ${formatSize(present.size)}` }
          : {
              name: `base (${kind})`,
              status: 'warn',
              detail: `${tag} not built yet`,
              fix: 'mcpgw images build (or it is built on first use)',
            },
      );
    }
  }

  if (catalog) {
    // Secrets are checked for presence in this command's environment and secrets.env, as mcpd would at a start.
    // With the engine known, a server whose runtime the engine lacks is reported too (local.launch checks it).
    const states = await serverStates(
      catalog,
      local?.launch ?? createLaunchResolver({ env: process.env, secretsFile: catalog.secretsFile }),
    );
    for (const state of states) {
      const name = `server ${state.name}`;
      const built = state.available && state.server.build && local && engine ? await isBuilt(local, state.server) : undefined;
      const r = readinessOf(state, built);
      if (r.state === 'ready') add({ name, status: 'ok', detail: `ready (${r.detail})` });
      else if (r.state === 'build')
        add({ name, status: 'warn', detail: `image not built (${r.detail})`, fix: `mcpgw images build ${state.name}` });
      else add({ name, status: 'fail', detail: r.detail, fix: 'see docs/configs.md for what each pasted form needs' });
    }
  }

  add(await diskCheck(engine));

  const failed = checks.filter((c) => c.status === 'fail').length;
  if (opts.json) io.out(JSON.stringify({ ok: failed === 0, checks }, null, 2));
  else io.out(failed === 0 ? 'everything mcpgw needs is in place' : `${failed} problem(s) found`);
  return failed === 0 ? EXIT.ok : EXIT.failure;
}

async function isBuilt(local: LocalSandboxes, server: ServerConfig): Promise<boolean> {
  return (await local.engine.inspectImage(await local.builder.recipeTag(server))) !== undefined;
}

function formatCheck(check: Check): string {
  const mark = { ok: 'ok  ', warn: 'warn', fail: 'FAIL' }[check.status];
  return `${mark}  ${check.name.padEnd(16)} ${check.detail}${check.fix ? ` — fix: ${check.fix}` : ''}`;
}

async function redisCheck(catalog: Catalog | undefined): Promise<Check> {
  const url = process.env.REDIS_URL ?? catalog?.settings.daemon.redisUrl;
  if (url) {
    const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 2000, retryStrategy: () => null });
    redis.on('error', () => undefined);
    try {
      await redis.connect();
      const version = /redis_version:(\S+)/.exec(await redis.info('server'))?.[1] ?? '?';
      return { name: 'redis', status: 'ok', detail: `Redis ${version} at ${redactUrl(url)}` };
    } catch (err) {
      return {
        name: 'redis',
        status: 'fail',
        detail: `cannot reach ${redactUrl(url)}: ${errorMessage(err)}`,
        fix: 'start that Redis or unset REDIS_URL to let mcpd run its own',
      };
    } finally {
      redis.disconnect();
    }
  }
  try {
    const { stdout } = await run('redis-server', ['--version']);
    return {
      name: 'redis',
      status: 'ok',
      detail: `${/v=(\S+)/.exec(stdout)?.[1] ? `redis-server ${/v=(\S+)/.exec(stdout)?.[1]}` : 'redis-server'} (mcpd runs a private one)`,
    };
  } catch {
    return {
      name: 'redis',
      status: 'fail',
      detail: 'redis-server is not on the PATH and REDIS_URL is not set',
      fix: 'apt-get install redis-server (or set REDIS_URL)',
    };
  }
}

function geminiCheck(catalog: Catalog | undefined): Check {
  if (process.env.GEMINI_API_KEY || process.env.GOOGLE_API_KEY || catalog?.settings.gemini.apiKey) {
    return { name: 'gemini', status: 'ok', detail: 'API key set' };
  }
  return {
    name: 'gemini',
    status: 'warn',
    detail: 'GEMINI_API_KEY is not set: chat and run cannot reach the model',
    fix: 'export GEMINI_API_KEY=... (https://aistudio.google.com)',
  };
}

async function diskCheck(engine: EngineInfo | undefined): Promise<Check> {
  const { stateDir, cacheDir } = resolvePaths(process.env, homedir());
  const places = [stateDir, cacheDir, ...(engine?.rootDir && !process.env.DOCKER_HOST?.startsWith('tcp') ? [engine.rootDir] : [])];
  const free: string[] = [];
  let low = false;
  for (const place of places) {
    const info = await statfs(nearestExisting(place)).catch(() => undefined);
    if (!info) continue;
    const bytes = info.bavail * info.bsize;
    low ||= bytes < LOW_DISK_BYTES;
    free.push(`${place} ${formatSize(bytes)} free`);
  }
  return low
    ? { name: 'disk', status: 'warn', detail: free.join('; '), fix: 'free some space (docker image prune removes unused images)' }
    : { name: 'disk', status: 'ok', detail: free.join('; ') || 'unknown' };
}

/** statfs needs an existing path; the state dir may not exist before the first start. */
function nearestExisting(place: string): string {
  let at = place;
  while (at !== '/' && !existsSync(at)) at = path.dirname(at);
  return at;
}

function redactUrl(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}

/**
 * MCPGW_TEST_EGRESS set where an mcpd would be started from: that mcpd's egress gateway would take a test's network,
 * resolvers and private range. Nothing to report when it is unset.
 */
export function testEgressCheck(env: NodeJS.ProcessEnv): Check | undefined {
  const fix = `unset ${TEST_EGRESS_ENV}: it is for mcpgw's own e2e tests`;
  try {
    const settings = testEgressFrom(env);
    return settings && { name: 'test egress', status: 'warn', detail: `LOOSENED: ${testEgressWarning(settings)}`, fix };
  } catch (err) {
    return { name: 'test egress', status: 'fail', detail: `${errorMessage(err)}; mcpd refuses to start with it`, fix };
  }
}

/** Whether the engine enforces sandbox limits; a rootless engine on cgroup v1 does not (flavor.ts). */
function limitsCheck(engine: EngineInfo, allowed: boolean): Check {
  const { facts } = engine;
  const how = `${facts.rootless ? 'rootless' : 'rootful'}, cgroup v${facts.cgroupVersion}, ${facts.cgroupDriver || 'unknown'} driver`;
  if (!engine.limitsUnenforced) return { name: 'limits', status: 'ok', detail: `memory, CPU and pids limits enforced (${how})` };
  if (allowed) {
    return {
      name: 'limits',
      status: 'warn',
      detail: unenforcedLimitsWarning(engine.limitsUnenforced),
      fix: 'use a rootful engine (scripts/podman.sh) or cgroup v2 with systemd, and drop sandbox.allowUnenforcedLimits',
    };
  }
  return {
    name: 'limits',
    status: 'fail',
    detail: `${engine.limitsUnenforced}; every sandbox start is refused`,
    fix: 'use a rootful engine (scripts/podman.sh) or cgroup v2 with systemd; sandbox.allowUnenforcedLimits: true runs without limits',
  };
}
