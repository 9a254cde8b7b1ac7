import { McpgwError } from '../../src/errors.js';
import { formatAge, formatSize, formatTable } from '../../src/text/table.js';
import { loadConfig } from '../../daemon/config/load.js';
import { LABELS } from '../../daemon/sandbox/labels.js';
import { unknownServer } from '../../src/config/catalog.js';
import { openLocalSandboxes } from './sandboxes.js';
import type { CommandIO } from '../io.js';
import type { GlobalOptions } from '../options.js';

/** `mcpgw images build [server...]`: build (or confirm cached) the image of every named server with a recipe. */
export async function imagesBuild(names: string[], opts: GlobalOptions, io: CommandIO): Promise<number> {
  const { catalog, notices } = await loadConfig(opts.config);
  for (const notice of notices) if (!opts.json) io.err(`notice: ${notice}`);
  for (const n of names) {
    const why = catalog.unavailable.get(n);
    if (why) throw new McpgwError('server_unavailable', `server "${n}" is unavailable: ${why.reason}`);
    if (!catalog.servers.has(n)) throw unknownServer(n, catalog.servers.keys());
  }
  const servers = [...catalog.servers.values()].filter((s) => (names.length > 0 ? names.includes(s.name) : s.build !== undefined));
  if (servers.length === 0) {
    io.err('Nothing to build: no server has a "build" recipe.');
    return 0;
  }
  const { engine, builder } = openLocalSandboxes(catalog, { build: true });
  await engine.ping();
  const results: Array<{ server: string; image: string; status: 'built' | 'cached'; seconds: number }> = [];
  for (const server of servers) {
    const t0 = performance.now();
    let cached = false;
    const image = await builder.build(server, (p) => {
      if (p.phase === 'cached') cached = true;
      if (!opts.json) io.err(`${p.server} | ${p.line}`);
    });
    results.push({
      server: server.name,
      image,
      status: cached ? 'cached' : 'built',
      seconds: Math.round((performance.now() - t0) / 100) / 10,
    });
  }
  if (opts.json) io.out(JSON.stringify({ images: results }, null, 2));
  else
    io.out(
      formatTable(
        ['SERVER', 'IMAGE', 'STATUS', 'TIME'],
        results.map((r) => [r.server, r.image, r.status, `${r.seconds}s`]),
        { maxWidth: io.columns },
      ),
    );
  return 0;
}

/** `mcpgw images ls`: the images mcpgw built, and which servers' current recipes they match. */
export async function imagesList(opts: GlobalOptions, io: CommandIO): Promise<number> {
  const { catalog } = await loadConfig(opts.config);
  const { engine, builder } = openLocalSandboxes(catalog, { build: false });
  await engine.ping().catch((err: unknown) => {
    throw err instanceof McpgwError ? err : new McpgwError('docker_unavailable', String(err));
  });
  const current = new Map<string, string>();
  for (const s of catalog.servers.values()) if (s.build) current.set(await builder.recipeTag(s), s.name);
  const runtimes = new Set([...catalog.servers.values()].map((s) => s.runtime));
  runtimes.add('node');
  for (const runtime of runtimes) {
    // A runtime whose host interpreter is missing has no current base: its images all show as stale.
    await builder.baseTag(runtime).then(
      (tag) => current.set(tag, '(base)'),
      () => undefined,
    );
    await builder.builderTag(runtime).then(
      (tag) => current.set(tag, '(builder)'),
      () => undefined,
    );
  }
  const images = await builder.list();
  // One row per tag: an image reused for the same recipe under another server's name carries both names.
  const rows = images.flatMap((img) =>
    (img.tags.length > 0 ? img.tags : [img.id.slice(7, 19)]).map((tag) => {
      const name = current.get(tag);
      return {
        image: tag,
        kind: img.labels[LABELS.kind] ?? '?',
        server: name && !name.startsWith('(') ? name : (img.labels[LABELS.server] ?? '-'),
        current: name !== undefined,
        size: img.size,
        created: img.created,
      };
    }),
  );
  if (opts.json) {
    io.out(JSON.stringify({ images: rows }, null, 2));
    return 0;
  }
  if (rows.length === 0) {
    io.out('No mcpgw images yet. Build them with: mcpgw images build');
    return 0;
  }
  io.out(
    formatTable(
      ['IMAGE', 'KIND', 'SERVER', 'SIZE', 'AGE', 'STATUS'],
      rows.map((r) => [r.image, r.kind, r.server, formatSize(r.size), formatAge(Date.now() - r.created), r.current ? 'current' : 'stale']),
      { maxWidth: io.columns },
    ),
  );
  return 0;
}
