import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { describeNetwork } from '../../src/config/egress.js';
import { parseJsonObject } from '../args.js';
import { McpgwError } from '../../src/errors.js';
import { jsonText } from '../../src/text/safe-json.js';
import { safeLine } from '../../src/text/sanitize.js';
import { formatMs, formatSize, formatTable } from '../../src/text/table.js';
import { renderToolResult } from '../../src/text/tool-result.js';
import { claimedHints } from '../../src/view/format.js';
import { checkToolSchema } from '../../src/tools/index.js';
import { imageLabel, loosenedBy } from '../../src/config/describe.js';
import type { Catalog } from '../../src/config/catalog.js';
import type { RuntimeSetting } from '../../src/config/sandbox-runtime.js';
import { serverStates, type ServerState } from '../../daemon/config/availability.js';
import { createLaunchResolver, type LaunchResolver } from '../../daemon/config/launch.js';
import { openEngine, remoteEngineFor } from '../../daemon/sandbox/open-engine.js';
import type { EngineInfo } from '../../daemon/sandbox/engine.js';
import { SandboxPlacement, withRuntimeCheck } from '../../daemon/sandbox/runtime-choice.js';
import { loadConfig } from '../../daemon/config/load.js';
import { unknownServer } from '../../src/config/catalog.js';
import { openLocalSandboxes } from './sandboxes.js';
import type { CommandIO } from '../io.js';
import type { GlobalOptions } from '../options.js';

/** `mcpgw servers ls`: every configured server, how it is sandboxed, and why one that cannot run cannot. */
export async function serversList(opts: GlobalOptions, io: CommandIO): Promise<number> {
  const { catalog, file, notices } = await loadConfig(opts.config);
  // Secrets are checked for presence in this command's environment (mcpd checks its own when it starts a server).
  const launch = createLaunchResolver({
    env: process.env,
    secretsFile: catalog.secretsFile,
    remoteEngine: remoteEngineFor(catalog.sandbox),
  });
  const states = await serverStates(catalog, withEngineRuntimes(launch, catalog));
  if (opts.json) {
    io.out(JSON.stringify({ file: file ?? null, servers: states.map((s) => describeState(s, catalog.sandbox.runtime)), notices }, null, 2));
    return 0;
  }
  for (const notice of notices) io.err(`notice: ${notice}`);
  if (states.length === 0) {
    io.out(`No servers configured${file ? ` in ${file}` : ''}. Add an "mcpServers" entry to ${file ?? '~/.config/mcpgw/config.json'}.`);
    return 0;
  }
  const described = states.map((s) => describeState(s, catalog.sandbox.runtime));
  const rows = described.map((d) => [d.name, d.status, d.source, d.command, d.network, d.runtime, d.limits, d.mounts]);
  io.out(formatTable(['NAME', 'STATUS', 'IMAGE', 'COMMAND', 'NETWORK', 'RUNTIME', 'LIMITS', 'MOUNTS'], rows, { maxWidth: io.columns }));
  const unavailable = described.filter((d) => d.reason !== undefined);
  if (unavailable.length > 0) io.out(['', 'unavailable:', ...unavailable.map((d) => `  ${d.name}: ${d.reason}`)].join('\n'));
  return 0;
}

/**
 * The launch check plus whether the engine can run each server's runtime (gVisor missing, or Podman, which cannot run
 * it): asked of the engine once, for at most 3 s; an engine that cannot be asked is doctor's to report, not ls's.
 */
function withEngineRuntimes(launch: LaunchResolver, catalog: Catalog): LaunchResolver {
  let engine: ReturnType<typeof openEngine>;
  try {
    engine = openEngine(catalog.sandbox);
  } catch {
    return launch; // a bad sandbox.engine setting: doctor says why
  }
  const describe = (): Promise<EngineInfo> =>
    Promise.race([
      engine.describe(),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('the engine did not answer')), 3000).unref()),
    ]);
  return withRuntimeCheck(launch, new SandboxPlacement({ describe }, { runtime: catalog.sandbox.runtime }));
}

/** `runtime`: `sandbox.runtime`, shown for servers that do not name their own. */
function describeState(
  state: ServerState,
  runtime: RuntimeSetting,
): {
  name: string;
  status: 'available' | 'disabled' | 'unavailable';
  available: boolean;
  reason?: string;
  path?: string;
  source: string;
  command: string;
  network: string;
  /** runc, runsc (gVisor) or auto: which one auto picks depends on the engine (mcpd's status shows it per sandbox). */
  runtime: string;
  limits: string;
  mounts: string;
  loosened: string[];
} {
  const s = state.server;
  const why = state.available ? {} : { reason: state.reason, ...(state.path ? { path: state.path } : {}) };
  const status = !state.available ? 'unavailable' : state.server.disabled ? 'disabled' : 'available';
  if (!s)
    return {
      name: state.name,
      status,
      available: false,
      ...why,
      source: '-',
      command: '-',
      network: '-',
      runtime: '-',
      limits: '-',
      mounts: '-',
      loosened: [],
    };
  return {
    name: s.name,
    status,
    available: state.available,
    ...why,
    source: imageLabel(s),
    command: [s.command ?? (s.image ? '(image entrypoint)' : '(package bin)'), ...s.args].join(' '),
    network: describeNetwork(s.network),
    runtime: s.sandboxRuntime ?? runtime,
    limits: `${formatSize(s.limits.memoryBytes)}, ${s.limits.nanoCpus / 1e9} cpu, ${s.limits.pids} pids`,
    mounts: s.mounts.map((m) => `${m.source}:${m.target}${m.readOnly ? '' : ':rw'}`).join(', ') || '-',
    loosened: loosenedBy(s),
  };
}

export interface ServersTestOptions extends GlobalOptions {
  call?: string;
  args?: string;
  build?: boolean;
}

/** `mcpgw servers test NAME`: start the server sandboxed, list its tools, optionally call one, tear down. */
export async function serversTest(name: string, opts: ServersTestOptions, io: CommandIO): Promise<number> {
  const callArgs = opts.args === undefined ? undefined : parseJsonObject(opts.args, '--args');
  if (opts.args !== undefined && !opts.call) throw new McpgwError('bad_request', '--args needs --call TOOL');
  const { catalog } = await loadConfig(opts.config);
  const why = catalog.unavailable.get(name);
  if (why) throw new McpgwError('server_unavailable', `server "${name}" is unavailable: ${why.reason}`);
  const server = catalog.servers.get(name);
  if (!server) throw unknownServer(name, catalog.servers.keys());
  const log = (line: string): void => {
    if (!opts.json) io.err(`  ${server.name} | ${line}`);
  };
  const { engine, builder, runtime, launch } = openLocalSandboxes(catalog, {
    build: opts.build ?? false,
    onLog: (_server, line) => log(line),
  });
  await engine.ping();
  // Before any image work: a runtime the engine cannot run (or a missing secret) is the reason, not a missing image.
  const cannot = await launch.check(server);
  if (cannot) throw new McpgwError('server_unavailable', `server "${name}" is unavailable: ${cannot}`);
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
  if (opts.json) io.out(jsonText(report, 2));
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
  // A tool's name may be why it is left out: names and reasons are one safe line each (src/text/sanitize.ts).
  const notes = [
    ...tools.flatMap(({ tool: t, schema }) =>
      schema.ok ? [] : [`  ${safeLine(t.name)}: left out — ${safeLine(schema.reason ?? 'unusable schema')}`],
    ),
    ...foldRepairs(tools.map(({ tool: t, schema }) => ({ tool: safeLine(t.name), repairs: schema.repairs.map(safeLine) }))),
  ];
  if (notes.length > 0) io.out(['', 'schema notes (CLAIMS are the server’s own, unverified):', ...notes].join('\n'));
}

/** One line per distinct repair: `tool: repair`, or `repair (13 tools: a, b, c …)` when several tools share it. */
export function foldRepairs(tools: ReadonlyArray<{ tool: string; repairs: readonly string[] }>, shown = 5): string[] {
  const byRepair = new Map<string, string[]>();
  for (const { tool, repairs } of tools) for (const r of repairs) byRepair.set(r, [...(byRepair.get(r) ?? []), tool]);
  return [...byRepair].map(([repair, names]) =>
    names.length === 1
      ? `  ${names[0]}: ${repair}`
      : `  ${repair} (${names.length} tools: ${names.slice(0, shown).join(', ')}${names.length > shown ? ' …' : ''})`,
  );
}

function oneLine(text: string, max: number): string {
  // Only layout whitespace is flattened (U+2028, U+FEFF, … are revealed), and before the cut, not after it.
  const flat = safeLine(text.replace(/[ \t\r\n]+/g, ' ').trim());
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');
}
