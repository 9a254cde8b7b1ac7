import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EgressDecision, EgressManager } from '../../daemon/egress/manager.js';
import { openEgress } from '../../daemon/egress/open.js';
import type { SandboxNetworkLease } from '../../daemon/sandbox/network-hook.js';
import { isInstanceAlive } from '../../daemon/sandbox/instance.js';
import type { SandboxRuntime } from '../../daemon/sandbox/runtime.js';
import type { Sandbox } from '../../daemon/sandbox/sandbox.js';
import { buildContainerSpec } from '../../daemon/sandbox/spec.js';
import type { ServerConfig } from '../../src/config/catalog.js';
import { parseEgressRule, type EgressRule } from '../../src/config/egress.js';
import { builder, engine, testRuntime, testRuntimeSetting } from '../helpers/docker.js';
import { EgressLab, FIXTURES, execIn, lastJson, networks, type ClientResult } from '../helpers/egress-lab.js';
import { testServer } from '../helpers/catalog.js';
import { ensurePythonTestImage } from '../helpers/python-image.js';

// Real gateway, real sandboxes, real targets, all on networks this file creates. The only outside name used is the
// npm registry's, and only as the name that must be refused (a leak would still reach nothing but the registry).
const DENIED = 'registry.npmjs.org';
const PROXY = 'http://mcpgw-egress:3128';
const lab = new EgressLab(['alpha.egress.test', 'beta.egress.test', 'rebind.egress.test']);
const decisions: EgressDecision[] = [];
let egress: EgressManager;
let runtime: SandboxRuntime;
let a: Sandbox;
let b: Sandbox;
let python: { id: string; lease: SandboxNetworkLease } | undefined;
let gatewayReplaced: (() => void) | undefined;
const run = process.pid;

const rules = (...texts: string[]): { allow: EgressRule[] } => ({
  allow: texts.map((t) => {
    const r = parseEgressRule(t);
    if (!r.ok) throw new Error(r.message);
    return r.rule;
  }),
});

/** A test server whose sandbox can run the client fixtures (mounted read-only) and trusts the lab's certificate. */
const clientServer = (network: { allow: EgressRule[] }): ServerConfig =>
  testServer('testsrv', {
    network,
    mounts: [
      { source: FIXTURES, target: '/fx', readOnly: true },
      { source: lab.dir, target: '/certs', readOnly: true },
    ],
    env: { NODE_EXTRA_CA_CERTS: '/certs/cert.pem' },
  });

const node = async (sandbox: Sandbox, mode: string, url: string, env: string[] = []): Promise<ClientResult> =>
  lastJson(await execIn(sandbox.containerId, ['node', '/fx/client.mjs', mode, url], env));

const py = async (url: string, env: string[] = []): Promise<ClientResult> =>
  lastJson(await execIn(python!.id, ['python3', '-I', '/fx/client.py', url, '/certs/cert.pem'], env));

const proxyEnv = [`HTTPS_PROXY=${PROXY}`, `HTTP_PROXY=${PROXY}`, `https_proxy=${PROXY}`, `http_proxy=${PROXY}`];

const waiters = new Set<() => void>();

/** The decision the gateway reported for a name: already in, or the next one that arrives (reports travel from the
 * gateway's stdout through the attach stream, so they may come just after the client's answer). */
function decisionFor(host: string | undefined, predicate: (d: EgressDecision) => boolean = () => true): Promise<EgressDecision> {
  return new Promise((resolve) => {
    const check = (): void => {
      const found = decisions.find((d) => d.host === host && predicate(d));
      if (!found) return;
      waiters.delete(check);
      resolve(found);
    };
    waiters.add(check);
    check();
  });
}

beforeAll(async () => {
  await lab.start();
  lab.setName('alpha.egress.test', lab.targetIp);
  lab.setName('beta.egress.test', lab.targetIp);
  egress = openEgress({
    engine,
    builder,
    instanceId: lab.instance,
    egressNetworks: [lab.network.name],
    resolvers: [lab.stubIp],
    exemptDestinations: [lab.network.subnet],
    onDecision: (d) => {
      decisions.push(d);
      for (const check of waiters) check();
    },
    log: (level, message) => {
      if (message === 'egress gateway replaced') gatewayReplaced?.();
    },
  });
  runtime = testRuntime({ networks: egress });
  a = await runtime.acquire(
    `egress-a-${run}`,
    clientServer(rules('alpha.egress.test', 'alpha.egress.test:8443', 'beta.egress.test', 'rebind.egress.test')),
  );
  b = await runtime.acquire(`egress-b-${run}`, clientServer(rules('beta.egress.test')));
  // An allowed name that an attacker-controlled DNS points at another sandbox.
  const bInfo = await engine.inspect(b.containerId);
  lab.setName('rebind.egress.test', Object.values(bInfo.NetworkSettings.Networks)[0]!.IPAddress);

  // Python is not in the Node base: its sandbox is the same spec on the same kind of lease, running python.
  const pyServer: ServerConfig = {
    ...clientServer(rules('alpha.egress.test')),
    name: 'pyclient',
    command: 'python3',
    args: ['-c', 'import time; time.sleep(3600)'],
  };
  const lease = (await egress.prepare(pyServer, `egress-py-${run}`))!;
  const spec = buildContainerSpec({
    server: pyServer,
    launch: { env: pyServer.env, args: pyServer.args, mounts: pyServer.mounts },
    image: await ensurePythonTestImage(engine),
    sessionId: `egress-py-${run}`,
    instanceId: lab.instance,
    containerName: `mcpgw-pyclient-${run}`,
    network: lease.attachment,
  });
  const id = await engine.create({ ...spec, OpenStdin: false, StdinOnce: false, AttachStdin: false });
  python = { id, lease };
  await engine.start(id);
});

afterAll(async () => {
  if (python) {
    await engine.remove(python.id);
    await python.lease.release();
  }
  await runtime?.closeAll();
  await lab.stop();
  // Nothing this process made is left: no egress network, no gateway.
  const left = (await networks.listManaged()).filter((n) => n.labels['mcpgw.instance'] === lab.instance);
  expect(left.map((n) => n.name)).toEqual([]);
  const gateways = (await engine.listManaged({ 'mcpgw.kind': 'egress-gateway' })).filter(
    (c) => c.labels['mcpgw.instance'] === lab.instance,
  );
  expect(gateways).toEqual([]);
});

const clients: Array<{ name: string; fetch: (url: string) => Promise<ClientResult>; fingerprints: boolean }> = [
  { name: 'Node fetch', fetch: (url) => node(a, 'fetch', url), fingerprints: false },
  { name: 'Node fetch with proxy variables set (it ignores them)', fetch: (url) => node(a, 'fetch', url, proxyEnv), fingerprints: false },
  { name: 'Node https', fetch: (url) => node(a, 'https', url), fingerprints: true },
  { name: 'Node through the proxy variables (CONNECT)', fetch: (url) => node(a, 'proxy', url, proxyEnv), fingerprints: true },
  { name: 'Python urllib', fetch: (url) => py(url), fingerprints: true },
  { name: 'Python urllib with proxy variables (CONNECT)', fetch: (url) => py(url, proxyEnv), fingerprints: true },
];

describe.each(clients)('$name', ({ fetch, fingerprints }) => {
  it('runs its sandboxes under the runtime under test (gVisor: runsc-net, the one with a network)', async () => {
    const expected = testRuntimeSetting === 'runsc' ? 'runsc-net' : 'runc';
    // Podman reports its default runtime (runc here, scripts/podman.sh) as "oci".
    const inspected = (await engine.facts()).kind === 'podman' && expected === 'runc' ? 'oci' : expected;
    expect((await engine.inspect(a.containerId)).HostConfig.Runtime).toBe(inspected);
    expect(a.runtime).toBe(expected);
  });

  it('reaches an allowed name over TLS, seeing the target’s own certificate', async () => {
    const result = await fetch('https://alpha.egress.test/tls');
    expect(result).toMatchObject({ ok: true, status: 200 });
    expect(JSON.parse(result.body!)).toMatchObject({ target: 'alpha', scheme: 'https', port: 443, path: '/tls' });
    if (fingerprints) expect(result.fingerprint).toBe(lab.cert.fingerprint256);
  });

  it('reaches an allowed name over plain HTTP', async () => {
    const result = await fetch('http://alpha.egress.test/plain');
    expect(result).toMatchObject({ ok: true, status: 200 });
    expect(JSON.parse(result.body!)).toMatchObject({ target: 'alpha', scheme: 'http', host: 'alpha.egress.test' });
  });

  it('is refused a name that is not on the list', async () => {
    const result = await fetch(`https://${DENIED}/`);
    expect(result.ok).toBe(false);
    expect(result.error ?? String(result.status)).toMatch(/ENOTFOUND|403|Name or service not known|gaierror/i);
  });
});

describe('what the sandbox cannot reach', () => {
  it('refuses a port the rule does not list: no listener at all, or a refusal when the port is someone else’s', async () => {
    expect(await node(a, 'https', 'https://alpha.egress.test:9443/')).toMatchObject({ ok: false, error: 'ECONNREFUSED' });
    const other = await node(a, 'https', 'https://beta.egress.test:8443/');
    expect(other.ok).toBe(false);
    expect(other.detail).toMatch(/alert access denied/i);
    expect(await decisionFor('beta.egress.test', (d) => d.port === 8443)).toMatchObject({
      allowed: false,
      reason: 'port_not_allowed',
      via: 'tls',
    });
  });

  it('refuses raw IP addresses: no route to them, and no name for the gateway to check', async () => {
    const direct = await node(a, 'https', `https://${lab.targetIp}/`);
    expect(direct.ok).toBe(false);
    expect(direct.error).toMatch(/EHOSTUNREACH|ENETUNREACH|TIMEOUT/);
    const gatewayIp = (await engine.inspect(a.containerId)).HostConfig.Dns?.[0];
    const noSni = await node(a, 'https', `https://${gatewayIp}/`);
    expect(noSni).toMatchObject({ ok: false });
    expect(noSni.detail).toMatch(/alert access denied/i);
    expect(await decisionFor(undefined, (d) => d.reason === 'no_name' && d.sessionId === `egress-a-${run}`)).toMatchObject({
      via: 'tls',
      allowed: false,
    });
    const viaProxy = await node(a, 'proxy', `https://${lab.targetIp}/`, proxyEnv);
    expect(viaProxy).toMatchObject({ ok: false, status: 403 });
    expect(await decisionFor(lab.targetIp)).toMatchObject({ via: 'connect', allowed: false, reason: 'raw_ip' });
  });

  it('cannot reach another sandbox, even of the same server, directly or by a name that resolves to it', async () => {
    const bIp = Object.values((await engine.inspect(b.containerId)).NetworkSettings.Networks)[0]!.IPAddress;
    const direct = await node(a, 'https', `http://${bIp}:80/`);
    expect(direct.ok).toBe(false);
    expect(direct.error).toMatch(/EHOSTUNREACH|ENETUNREACH|TIMEOUT/);
    const rebind = await node(a, 'https', 'https://rebind.egress.test/');
    expect(rebind.ok).toBe(false);
    expect(await decisionFor('rebind.egress.test', (d) => d.via === 'tls')).toMatchObject({
      allowed: false,
      reason: 'address_sandbox',
      address: bIp,
    });
  });

  it('sandboxes of one gateway keep their own lists', async () => {
    expect(await node(b, 'fetch', 'https://beta.egress.test/')).toMatchObject({ ok: true });
    expect(await node(b, 'fetch', 'https://alpha.egress.test/')).toMatchObject({ ok: false, error: 'ENOTFOUND' });
  });

  it('has the engine’s resolver forward to the gateway only, with no search domains', async () => {
    const info = await engine.inspect(a.containerId);
    expect(info.HostConfig.Dns).toHaveLength(1);
    // On its egress network and nothing else (Podman reports NetworkMode "bridge" for every network it manages).
    expect(Object.keys(info.NetworkSettings.Networks)).toEqual([expect.stringMatching(/^mcpgw-egress-/)]);
    const resolv = await execIn(a.containerId, [
      'node',
      '-e',
      'process.stdout.write(require("fs").readFileSync("/etc/resolv.conf","utf8"))',
    ]);
    // Docker's embedded resolver forwards to the gateway; Podman's networks have none, so the gateway is named directly.
    const resolver = (await engine.facts()).kind === 'docker' ? '127.0.0.11' : info.HostConfig.Dns?.[0];
    expect(resolv.split('\n').filter((l) => /^(nameserver|search)/.test(l))).toEqual([`nameserver ${resolver}`]);
  });

  it('never lets a lookup of a refused name leave the gateway', async () => {
    const result = await node(a, 'fetch', `https://exfiltrated-secret.${DENIED}/`);
    expect(result).toMatchObject({ ok: false, error: 'ENOTFOUND' });
    expect(await decisionFor(`exfiltrated-secret.${DENIED}`, (d) => d.via === 'dns')).toMatchObject({
      allowed: false,
      reason: 'not_allowed',
    });
    // The upstream resolver saw the allowed names the gateway connected to, and nothing else.
    expect(lab.queries).toContain('alpha.egress.test');
    expect(lab.queries.filter((q) => q.includes('npmjs'))).toEqual([]);
    expect(new Set(lab.queries)).toEqual(new Set(['alpha.egress.test', 'beta.egress.test', 'rebind.egress.test']));
  });
});

describe('reporting and grants', () => {
  it('reports every allowed connection with name, port, bytes and duration', async () => {
    await node(a, 'https', 'https://alpha.egress.test:8443/report');
    const report = await decisionFor('alpha.egress.test', (d) => d.port === 8443 && d.allowed);
    expect(report).toMatchObject({ via: 'tls', reason: 'allowed', address: lab.targetIp, server: 'testsrv', sessionId: `egress-a-${run}` });
    expect(report.bytesUp).toBeGreaterThan(200);
    expect(report.bytesDown).toBeGreaterThan(200);
    expect(report.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('lets mcpd grant a name to one running sandbox, and only to it', async () => {
    expect(await node(b, 'fetch', 'https://alpha.egress.test/before')).toMatchObject({ ok: false });
    expect(await egress.grantFor(`egress-b-${run}`, 'testsrv', 'alpha.egress.test', 'sandbox')).toBe(1);
    expect(await node(b, 'fetch', 'https://alpha.egress.test/after')).toMatchObject({ ok: true, status: 200 });
  });
});

describe('a standby container of an allowlisted server', () => {
  it('comes with its network, and its egress is the session’s that takes it from the first connection', async () => {
    // Not closed at the end: closing a runtime closes its networks, and this file's gateway serves the tests after.
    const withStandby = testRuntime({ networks: egress, standby: true });
    const server = clientServer(rules('alpha.egress.test'));
    try {
      await withStandby.acquire(`egress-c-${run}`, server);
      await withStandby.settled();
      expect(withStandby.stats().standby).toBe(1);
      const d = await withStandby.acquire(`egress-d-${run}`, server);
      // It was made before this session existed; it never ran until now.
      expect((await engine.inspect(d.containerId)).Config.Labels['mcpgw.session']).toBe('pool');
      expect(await node(d, 'https', 'https://alpha.egress.test/standby')).toMatchObject({ ok: true, status: 200 });
      const report = await decisionFor('alpha.egress.test', (r) => r.sessionId === `egress-d-${run}` && r.via === 'tls');
      expect(report).toMatchObject({ allowed: true, server: 'testsrv', address: lab.targetIp });
      expect(await node(d, 'fetch', `https://${DENIED}/`)).toMatchObject({ ok: false });
    } finally {
      await withStandby.release(`egress-c-${run}`);
      await withStandby.release(`egress-d-${run}`);
      await withStandby.settled();
      await withStandby.reapIdle(0);
    }
    const left = (await networks.listManaged({ 'mcpgw.session': 'pool' })).filter((n) => n.labels['mcpgw.instance'] === lab.instance);
    expect(left).toEqual([]);
  });
});

describe('a gateway that dies', () => {
  it('is replaced, and every running sandbox gets its way out back', async () => {
    const old = egress.gatewayContainerId!;
    const replaced = new Promise<void>((resolve) => (gatewayReplaced = resolve));
    await engine.kill(old, 'SIGKILL');
    await replaced;
    expect(egress.gatewayContainerId).not.toBe(old);
    expect(await engine.inspectExit(old)).toBeUndefined();
    expect(await node(a, 'fetch', 'https://alpha.egress.test/after-restart')).toMatchObject({ ok: true, status: 200 });
    expect(await py('https://alpha.egress.test/after-restart')).toMatchObject({ ok: true, status: 200 });
    expect(await node(a, 'fetch', `https://${DENIED}/`)).toMatchObject({ ok: false, error: 'ENOTFOUND' });
  });
});

describe('orphans', () => {
  it('purges the sandbox, gateway and network a killed process left, and nothing of a live one', async () => {
    const script = fileURLToPath(new URL('../fixtures/orphan-maker.ts', import.meta.url));
    const session = `egress-orphan-${run}`;
    const child = spawn(process.execPath, ['--import', 'tsx', script, session, 'egress'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.setEncoding('utf8');
    for await (const chunk of child.stdout) {
      output += chunk as string;
      if (output.includes('\n')) break;
    }
    child.kill('SIGKILL');
    await once(child, 'exit');
    expect(output).toMatch(/^ready /);
    const orphanNetworks = async () => (await networks.listManaged({ 'mcpgw.session': session })).map((n) => n.name);
    expect(await orphanNetworks()).toHaveLength(1);
    const mineBefore = (await networks.listManaged({ 'mcpgw.kind': 'egress' })).filter((n) => n.labels['mcpgw.instance'] === lab.instance);

    const removed = await runtime.purgeOrphans(isInstanceAlive);

    expect(await orphanNetworks()).toEqual([]);
    expect(removed.some((name) => name.startsWith('mcpgw-egress-gw-'))).toBe(true);
    const mineAfter = (await networks.listManaged({ 'mcpgw.kind': 'egress' })).filter((n) => n.labels['mcpgw.instance'] === lab.instance);
    expect(mineAfter.map((n) => n.name).sort()).toEqual(mineBefore.map((n) => n.name).sort());
    expect(await node(a, 'fetch', 'https://alpha.egress.test/still-up')).toMatchObject({ ok: true });
  });
});
