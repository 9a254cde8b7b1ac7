import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import type { ServerConfig } from '../../src/config/catalog.js';
import { describeNetwork } from '../../src/config/egress.js';
import { parseJsonObject } from '../../src/cli/args.js';
import { McpgwError } from '../../src/errors.js';
import { formatMs, formatSize, formatTable } from '../../src/text/table.js';
import { renderToolResult } from '../../src/text/tool-result.js';
import { claimedHints } from '../../src/view/format.js';
import { checkToolSchema } from '../../src/tools/index.js';
import { loadConfig } from '../config/load.js';
import { unknownServer } from '../sandbox/runtime.js';
import { openLocalSandboxes } from './local.js';
import type { CommandIO } from '../../src/cli/io.js';

/** `mcpgw servers ls`: the configured servers and how each is sandboxed. */
export async function serversList(opts: { config?: string; json?: boolean }, io: CommandIO): Promise<number> {
  const { catalog, file, notices } = await loadConfig(opts.config);
  const servers = [...catalog.servers.values()];
  if (opts.json) {
    io.out(JSON.stringify({ file: file ?? null, servers: servers.map(describeServer) }, null, 2));
    return 0;
  }
  for (const notice of notices) io.err(`notice: ${notice}`);
  if (servers.length === 0) {
    io.out(`No servers configured${file ? ` in ${file}` : ''}. Add an "mcpServers" entry to ${file ?? '~/.config/mcpgw/config.json'}.`);
    return 0;
  }
  const rows = servers.map((s) => {
    const d = describeServer(s);
    return [s.name + (s.disabled ? ' (disabled)' : ''), d.source, d.command, d.network, d.limits, d.mounts];
  });
  io.out(formatTable(['NAME', 'IMAGE', 'COMMAND', 'NETWORK', 'LIMITS', 'MOUNTS'], rows, { maxWidth: io.columns }));
  return 0;
}

function describeServer(s: ServerConfig): {
  name: string;
  source: string;
  command: string;
  network: string;
  limits: string;
  mounts: string;
} {
  return {
    name: s.name,
    source: s.image ?? (s.build ? `build: ${s.build.npm.join(' ')}` : 'node base'),
    command: [s.command ?? '(package bin)', ...s.args].join(' '),
    network: describeNetwork(s.network),
    limits: `${formatSize(s.limits.memoryBytes)}, ${s.limits.nanoCpus / 1e9} cpu, ${s.limits.pids} pids`,
    mounts: s.mounts.map((m) => `${m.source}:${m.target}${m.readOnly ? '' : ':rw'}`).join(', ') || '-',
  };
}

export interface ServersTestOptions {
  config?: string;
  call?: string;
  args?: string;
  json?: boolean;
  build?: boolean;
}

/** `mcpgw servers test NAME`: start the server sandboxed, list its tools, optionally call one, tear down. */
export async function serversTest(name: string, opts: ServersTestOptions, io: CommandIO): Promise<number> {
  const callArgs = opts.args === undefined ? undefined : parseJsonObject(opts.args, '--args');
  if (opts.args !== undefined && !opts.call) throw new McpgwError('bad_request', '--args needs --call TOOL');
  const { catalog } = await loadConfig(opts.config);
  const server = catalog.servers.get(name);
  if (!server) throw unknownServer(name, catalog.servers.keys());
  const log = (line: string): void => {
    if (!opts.json) io.err(`  ${server.name} | ${line}`);
  };
  const { engine, builder, runtime } = openLocalSandboxes(catalog, { build: opts.build ?? false, onLog: (_server, line) => log(line) });
  await engine.ping();
  const image = await builder.imageFor(server, { build: opts.build ?? false, onProgress: (p) => log(p.line) });
  const report: Record<string, unknown> = { ok: true, server: name, image };
  const started = performance.now();
  const sessionId = `cli-test-${process.pid}`;
  const stop = (): void => void runtime.closeAll().finally(() => process.exit(130));
  process.once('SIGINT', stop);
  try {
    const sandbox = await runtime.acquire(sessionId, { ...server, disabled: false });
    report.startMs = Math.round(performance.now() - started);
    const tools = await sandbox.listTools();
    const checked = tools.map((t) => ({ tool: t, schema: checkToolSchema({ server: name, ...toolInput(t) }) }));
    report.tools = checked.map(({ tool: t, schema }) => ({
      name: t.name,
      description: t.description ?? '',
      annotations: t.annotations ?? {},
      schema,
    }));
    if (!opts.json) printTools(io, name, image, report.startMs as number, checked);
    if (opts.call) {
      const t0 = performance.now();
      const result = await sandbox.callTool(opts.call, callArgs ?? {});
      const ms = Math.round(performance.now() - t0);
      report.call = { tool: opts.call, args: callArgs ?? {}, ms, result };
      if (!opts.json) {
        io.out(
          `\ncall ${opts.call} ${JSON.stringify(callArgs ?? {})} (${formatMs(ms)})${result.isError ? ' — the tool reported an error' : ''}:`,
        );
        io.out(indent(renderToolResult(result)));
      }
      if (result.isError) report.ok = false;
    }
  } finally {
    process.off('SIGINT', stop);
    const t0 = performance.now();
    await runtime.closeAll();
    report.teardownMs = Math.round(performance.now() - t0);
  }
  if (opts.json) io.out(JSON.stringify(report, null, 2));
  else io.err(`torn down in ${formatMs(report.teardownMs as number)}`);
  return report.ok ? 0 : 1;
}

function toolInput(t: Tool): { name: string; description?: string; inputSchema: unknown; annotations?: Record<string, unknown> } {
  return {
    name: t.name,
    inputSchema: t.inputSchema,
    ...(t.description ? { description: t.description } : {}),
    ...(t.annotations ? { annotations: t.annotations } : {}),
  };
}

type SchemaCheck = ReturnType<typeof checkToolSchema>;

function printTools(
  io: CommandIO,
  server: string,
  image: string,
  startMs: number,
  tools: Array<{ tool: Tool; schema: SchemaCheck }>,
): void {
  io.out(`${server}: started from ${image} in ${formatMs(startMs)}, ${tools.length} tool${tools.length === 1 ? '' : 's'}`);
  const rows = tools.map(({ tool: t, schema: check }) => {
    const n = check.repairs.length;
    const flag = !check.ok ? 'REJECTED' : n > 0 ? `ok, ${n} repair${n === 1 ? '' : 's'}` : 'ok';
    return [t.name, claimedHints(t.annotations), flag, oneLine(t.description ?? '', 60)];
  });
  io.out(formatTable(['TOOL', 'CLAIMS', 'GEMINI SCHEMA', 'DESCRIPTION'], rows, { maxWidth: io.columns }));
  // The details, below the table: what Gemini would reject, and what mcpgw changes before the model sees it.
  const notes = tools.flatMap(({ tool: t, schema }) => [
    ...(schema.ok ? [] : [`  ${t.name}: left out — ${schema.reason ?? 'unusable schema'}`]),
    ...schema.repairs.map((r) => `  ${t.name}: ${r}`),
  ]);
  if (notes.length > 0) io.out(['', 'schema notes (CLAIMS are the server’s own, unverified):', ...notes].join('\n'));
}

function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');
}
