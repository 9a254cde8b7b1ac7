import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ImageBuilder } from '../daemon/images/builder.js';
import { LABELS } from '../daemon/sandbox/labels.js';
import type { BuildRecipe, ServerConfig } from '../src/config/catalog.js';
import { serverOf } from '../test/helpers/catalog.js';
import { engine } from '../test/helpers/docker.js';
import { hostNpmBuild } from './lib/host-npm.js';
import { round, rounded, summarize, type Summary } from './lib/stats.js';

const fixtures = fileURLToPath(new URL('../test/fixtures/', import.meta.url));
/** The bench's own cache volumes, so "cold" empties nobody else's cache. */
const CACHE_PREFIX = 'mcpgw-bench-cache';
const MiB = 1024 ** 2;

interface Row {
  name: string;
  build: BuildRecipe;
  command: string;
  /** Also build it the old way (npm on the host), for comparison. */
  hostNpm: boolean;
  /** Also time a build with the image removed but the package cache kept. */
  warmCache: boolean;
}

const ROWS: Row[] = [
  {
    name: 'npm-remote',
    build: { npm: ['@modelcontextprotocol/server-memory@2026.8.31'] },
    command: 'mcp-server-memory',
    hostNpm: true,
    warmCache: true,
  },
  {
    name: 'npm-local',
    build: { npm: [path.join(fixtures, 'test-server')] },
    command: 'mcpgw-test-server',
    hostNpm: true,
    warmCache: false,
  },
  { name: 'pip-local', build: { pip: [path.join(fixtures, 'py-server')] }, command: 'mcpgw-py-server', hostNpm: false, warmCache: false },
];

export interface BuildRowResult {
  recipe: string;
  /** Container build, image and cache volume removed first (seconds). */
  coldS: number;
  /** Container build, image removed, package cache kept (seconds). */
  warmCacheS?: number;
  /** `images build` of an unchanged recipe through a fresh builder: recipe hash, host settings, image lookup (ms). */
  rebuildMs: Summary;
  imageMiB: number;
  /** The previous way: npm install on the host (empty npm cache), then a docker build (seconds). */
  hostNpmColdS?: number;
  hostNpmImageMiB?: number;
}

const newBuilder = (): ImageBuilder => new ImageBuilder({ engine, cacheVolumePrefix: CACHE_PREFIX });
const seconds = (t0: number): number => round((performance.now() - t0) / 1000);

function server(row: Row): ServerConfig {
  return serverOf(`bench-${row.name}`, { build: row.build, command: row.command });
}

/** Removes every image built for this recipe (under any server name), so the next build starts from nothing. */
async function removeRecipeImages(tag: string): Promise<void> {
  for (const image of await engine.listImages({ [LABELS.recipe]: tag.split(':')[1] ?? '' })) await engine.removeImage(image.id);
  await engine.removeImage(tag);
}

async function timeBuild(s: ServerConfig): Promise<number> {
  const t0 = performance.now();
  await newBuilder().build(s);
  return seconds(t0);
}

/**
 * Build time per recipe kind: cold (image and package cache removed), with a warm package cache, and rebuilt with
 * an unchanged recipe (target ≤ 1 s), image sizes, and the previous host-npm build next to it.
 */
export async function buildTimes(
  rebuilds: number,
): Promise<{ bases: Record<string, number>; rows: BuildRowResult[]; cliRebuildS: Summary }> {
  const prep = newBuilder();
  const bases: Record<string, number> = {};
  for (const runtime of ['node', 'python'] as const) {
    const { base, builder } = await prep.prepare(runtime);
    bases[base] = round(((await engine.inspectImage(base))?.size ?? 0) / MiB);
    bases[builder] = round(((await engine.inspectImage(builder))?.size ?? 0) / MiB);
  }
  const rows: BuildRowResult[] = [];
  for (const row of ROWS) {
    const s = server(row);
    const tag = await newBuilder().recipeTag(s);
    const ecosystem = row.build.pip ? 'pip' : 'npm';
    await removeRecipeImages(tag);
    await engine.removeVolume(`${CACHE_PREFIX}-${ecosystem}`);
    const coldS = await timeBuild(s);
    const imageMiB = round(((await engine.inspectImage(tag))?.size ?? 0) / MiB);
    let warmCacheS: number | undefined;
    if (row.warmCache) {
      await removeRecipeImages(tag);
      warmCacheS = await timeBuild(s);
    }
    const rebuild: number[] = [];
    for (let i = 0; i < rebuilds; i++) {
      const t0 = performance.now();
      await newBuilder().build(s);
      rebuild.push(performance.now() - t0);
    }
    const result: BuildRowResult = {
      recipe: `${ecosystem}: ${(row.build.npm ?? row.build.pip ?? []).map((x) => path.basename(x)).join(' ')}`,
      coldS,
      rebuildMs: rounded(summarize(rebuild)),
      imageMiB,
    };
    if (warmCacheS !== undefined) result.warmCacheS = warmCacheS;
    if (row.hostNpm && row.build.npm) {
      const hostTag = `mcpgw-bench/hostnpm-${row.name}:latest`;
      const npmCache = mkdtempSync(path.join(tmpdir(), 'mcpgw-bench-npmcache-'));
      await engine.removeImage(hostTag);
      const t0 = performance.now();
      await hostNpmBuild(engine, { specs: row.build.npm, base: await prep.baseTag('node'), tag: hostTag, npmCache });
      result.hostNpmColdS = seconds(t0);
      result.hostNpmImageMiB = round(((await engine.inspectImage(hostTag))?.size ?? 0) / MiB);
      await engine.removeImage(hostTag);
      rmSync(npmCache, { recursive: true, force: true });
    }
    process.stderr.write(
      `build ${row.name}: cold ${coldS} s, rebuild p50 ${result.rebuildMs.p50} ms, ${imageMiB} MiB${result.hostNpmColdS ? `; host npm ${result.hostNpmColdS} s` : ''}\n`,
    );
    rows.push(result);
  }
  return { bases, rows, cliRebuildS: cliRebuild(rebuilds) };
}

/** The whole `mcpgw images build` command for an unchanged recipe: node start-up and imports included. */
function cliRebuild(runs: number): Summary {
  const dir = mkdtempSync(path.join(tmpdir(), 'mcpgw-bench-cli-'));
  const config = path.join(dir, 'config.json');
  writeFileSync(config, JSON.stringify({ mcpServers: { 'bench-npm-local': { build: ROWS[1]?.build, command: 'mcpgw-test-server' } } }));
  const cli = fileURLToPath(new URL('../dist/bin/mcpgw.js', import.meta.url));
  const times: number[] = [];
  try {
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      execFileSync(process.execPath, [cli, '--config', config, 'images', 'build'], { stdio: 'ignore' });
      times.push((performance.now() - t0) / 1000);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return rounded(summarize(times));
}
