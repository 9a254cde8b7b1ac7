// Egress gateway benchmarks (issue 12): connection setup and throughput through the gateway vs direct ("bridge"),
// the gateway's memory, and what an egress network adds to a sandbox start. Everything runs on a network this
// benchmark creates: a target container serving HTTP and HTTPS, and a DNS stub the gateway uses upstream.
import { fileURLToPath } from 'node:url';
import type { EgressManager } from '../daemon/egress/manager.js';
import { openEgress } from '../daemon/egress/open.js';
import type { SandboxRuntime } from '../daemon/sandbox/runtime.js';
import type { ServerConfig } from '../src/config/catalog.js';
import { testServer } from '../test/helpers/catalog.js';
import { builder, engine, testRuntime } from '../test/helpers/docker.js';
import { EgressLab, execIn } from '../test/helpers/egress-lab.js';
import { containerMemory } from './sandbox.js';
import { rounded, summarize, type Summary } from './lib/stats.js';

const NAME = 'alpha.egress.test';
const BENCH_DIR = fileURLToPath(new URL('./', import.meta.url));

interface ClientRun {
  setupTlsMs: number[];
  setupHttpMs: number[];
  tlsMBps?: number;
  httpMBps?: number;
}

export interface EgressBench {
  connections: number;
  downloadMiB: number;
  setupTls: { gateway: Summary; gatewayNoDns: Summary; direct: Summary; addedP50Ms: number };
  setupHttp: { gateway: Summary; direct: Summary; addedP50Ms: number };
  throughputMBps: { tls: { gateway: number; direct: number }; http: { gateway: number; direct: number } };
  /** Resident set of the gateway's node process, and its cgroup's charge. */
  gatewayMemoryMiB: { rssIdle: number; rssAfterLoad: number; rssWith20Sandboxes: number; cgroupAfterLoad: number };
  /** Sandbox start to `initialize` done: no network, the default bridge, an allowlist (own network + gateway). */
  sandboxStartMs: { none: Summary; bridge: Summary; allowlist: Summary; addedOverBridgeP50Ms: number };
}

const mounts = (lab: EgressLab): ServerConfig['mounts'] => [
  { source: BENCH_DIR, target: '/bench', readOnly: true },
  { source: lab.dir, target: '/certs', readOnly: true },
];

async function client(containerId: string, ip: string, connections: number, bytes: number): Promise<ClientRun> {
  const out = await execIn(containerId, ['node', '/bench/egress-client.mjs', NAME, ip, String(connections), String(bytes)]);
  return JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as ClientRun;
}

const mib = (bytes: number): number => Math.round((bytes / 1024 ** 2) * 10) / 10;

/** Resident memory of the gateway's node process (the cgroup undercounts: node's pages are shared page cache). */
async function gatewayRss(id: string): Promise<number> {
  const top = (await engine.docker.getContainer(id).top({ ps_args: '-o pid,rss,comm' })) as { Processes: string[][] };
  const nodeRow = top.Processes.find((row) => row[2] === 'node');
  return Number(nodeRow?.[1] ?? NaN) * 1024;
}
const p50Delta = (a: Summary, b: Summary): number => Math.round((a.p50 - b.p50) * 1000) / 1000;

/** Runs the egress benchmarks with `connections` new connections per path and a `downloadMiB` download. */
export async function egressBench(connections: number, downloadMiB: number, starts: number): Promise<EgressBench> {
  const lab = new EgressLab([NAME]);
  let runtime: SandboxRuntime | undefined;
  let egress: EgressManager | undefined;
  try {
    await lab.start();
    lab.setName(NAME, lab.targetIp);
    egress = openEgress({
      engine,
      builder,
      instanceId: lab.instance,
      egressNetworks: [lab.network.name],
      resolvers: [lab.stubIp],
      exemptDestinations: [lab.network.subnet],
    });
    runtime = testRuntime({ networks: egress });
    const allow = { allow: [{ host: NAME, wildcard: false, ports: [443, 80] }] };
    const viaGateway = await runtime.acquire('bench-egress-gw', testServer('testsrv', { network: allow, mounts: mounts(lab) }));
    // The baseline: the same client with full access on the target's own network, which is what "bridge" gives.
    const direct = await runtime.acquire('bench-egress-direct', testServer('testsrv', { network: lab.network.name, mounts: mounts(lab) }));
    const gatewayId = egress.gatewayContainerId!;
    const idle = await gatewayRss(gatewayId);
    await client(viaGateway.containerId, '-', 20, 0); // warm-up (JIT, caches)
    await client(direct.containerId, lab.targetIp, 20, 0);
    const bytes = downloadMiB * 1024 ** 2;
    const gw = await client(viaGateway.containerId, '-', connections, bytes);
    const gwIp = (await engine.inspect(viaGateway.containerId)).HostConfig.Dns?.[0] ?? '';
    const gwNoDns = await client(viaGateway.containerId, gwIp, connections, 0);
    const dr = await client(direct.containerId, lab.targetIp, connections, bytes);
    const afterLoad = await gatewayRss(gatewayId);
    const cgroupAfterLoad = containerMemory(gatewayId);

    // Twenty more sandboxes' worth of leases: networks attached and listeners bound, as far as the gateway knows.
    const leases = await Promise.all(
      Array.from({ length: 20 }, (_, i) => egress!.prepare(testServer('testsrv', { network: allow }), `bench-egress-lease-${i}`)),
    );
    const with20 = await gatewayRss(gatewayId);
    await Promise.all(leases.map((l) => l?.release()));

    const startTimes = { none: [] as number[], bridge: [] as number[], allowlist: [] as number[] };
    for (let i = 0; i < starts; i++) {
      for (const [kind, network] of [
        ['none', 'none'],
        ['bridge', 'bridge'],
        ['allowlist', allow],
      ] as const) {
        const t0 = performance.now();
        await runtime.acquire(`bench-egress-start-${kind}-${i}`, testServer('testsrv', { network }));
        startTimes[kind].push(performance.now() - t0);
        await runtime.release(`bench-egress-start-${kind}-${i}`);
      }
    }

    const s = (xs: number[]): Summary => rounded(summarize(xs));
    const result: EgressBench = {
      connections,
      downloadMiB,
      setupTls: { gateway: s(gw.setupTlsMs), gatewayNoDns: s(gwNoDns.setupTlsMs), direct: s(dr.setupTlsMs), addedP50Ms: 0 },
      setupHttp: { gateway: s(gw.setupHttpMs), direct: s(dr.setupHttpMs), addedP50Ms: 0 },
      throughputMBps: {
        tls: { gateway: Math.round(gw.tlsMBps ?? 0), direct: Math.round(dr.tlsMBps ?? 0) },
        http: { gateway: Math.round(gw.httpMBps ?? 0), direct: Math.round(dr.httpMBps ?? 0) },
      },
      gatewayMemoryMiB: {
        rssIdle: mib(idle),
        rssAfterLoad: mib(afterLoad),
        rssWith20Sandboxes: mib(with20),
        cgroupAfterLoad: mib(cgroupAfterLoad),
      },
      sandboxStartMs: {
        none: s(startTimes.none),
        bridge: s(startTimes.bridge),
        allowlist: s(startTimes.allowlist),
        addedOverBridgeP50Ms: 0,
      },
    };
    result.setupTls.addedP50Ms = p50Delta(result.setupTls.gateway, result.setupTls.direct);
    result.setupHttp.addedP50Ms = p50Delta(result.setupHttp.gateway, result.setupHttp.direct);
    result.sandboxStartMs.addedOverBridgeP50Ms = p50Delta(result.sandboxStartMs.allowlist, result.sandboxStartMs.bridge);
    process.stderr.write(
      `egress: TLS setup p50 ${result.setupTls.gateway.p50} ms via gateway vs ${result.setupTls.direct.p50} direct; ` +
        `download ${result.throughputMBps.tls.gateway} vs ${result.throughputMBps.tls.direct} MB/s; gateway RSS ${result.gatewayMemoryMiB.rssAfterLoad} MiB\n`,
    );
    return result;
  } finally {
    await runtime?.closeAll();
    await lab.stop();
  }
}
