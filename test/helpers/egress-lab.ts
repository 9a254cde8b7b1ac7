import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { DockerNetworks } from '../../daemon/egress/docker-networks.js';
import { pickSubnet } from '../../daemon/egress/subnets.js';
import { currentInstanceId } from '../../daemon/sandbox/instance.js';
import { LABELS } from '../../daemon/sandbox/labels.js';
import { builder, engine } from './docker.js';
import { makeTestCert, type TestCert } from './tls-cert.js';

export const FIXTURES = fileURLToPath(new URL('../fixtures/egress/', import.meta.url));
export const networks = new DockerNetworks(engine.docker);

/** Runs a command in a running container (as its own user) and returns what it printed on stdout. */
export async function execIn(containerId: string, cmd: string[], env: string[] = []): Promise<string> {
  const exec = await engine.docker.getContainer(containerId).exec({ Cmd: cmd, Env: env, AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({});
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  engine.docker.modem.demuxStream(stream, stdout, stderr);
  let out = '';
  let err = '';
  stdout.on('data', (d: Buffer) => (out += d.toString()));
  stderr.on('data', (d: Buffer) => (err += d.toString()));
  await new Promise((resolve) => stream.on('end', resolve));
  if (!out.trim() && err.trim()) throw new Error(`${cmd.join(' ')} failed: ${err.trim()}`);
  return out;
}

export interface ClientResult {
  ok: boolean;
  status?: number;
  body?: string;
  fingerprint?: string;
  error?: string;
  detail?: string;
}

/** The last JSON line a client fixture printed. */
export function lastJson(out: string): ClientResult {
  const line = out.trim().split('\n').at(-1) ?? '';
  try {
    return JSON.parse(line) as ClientResult;
  } catch {
    throw new Error(`client printed no result: ${out}`);
  }
}

/**
 * What the egress tests and benchmark stand on: their own internal network (no route out, no host address) with a
 * target serving HTTP and HTTPS under a fresh certificate, and a recording DNS stub the gateway uses upstream.
 * Names resolve through the stub's map, which `setName` changes while it runs.
 */
export class EgressLab {
  readonly dir = mkdtempSync(path.join(tmpdir(), 'mcpgw-egress-'));
  readonly cert: TestCert;
  readonly queries: string[] = [];
  readonly instance = currentInstanceId();
  network = { id: '', name: '', subnet: '' };
  targetIp = '';
  stubIp = '';
  private readonly containers: string[] = [];
  private readonly names: Record<string, string> = {};

  constructor(names: string[]) {
    this.cert = makeTestCert(names);
    chmodSync(this.dir, 0o755);
    writeFileSync(path.join(this.dir, 'key.pem'), this.cert.key, { mode: 0o644 });
    writeFileSync(path.join(this.dir, 'cert.pem'), this.cert.cert, { mode: 0o644 });
    this.writeNames();
  }

  /** Creates the network, the target and the stub. */
  async start(): Promise<void> {
    const subnet = pickSubnet('10.201.0.0/16');
    const name = `mcpgw-egress-lab-${process.pid}-${Date.now().toString(36)}`;
    const labels = { [LABELS.managed]: 'true', [LABELS.instance]: this.instance, [LABELS.kind]: 'egress-test' };
    this.network = { id: await networks.createInternal(name, subnet.subnet, labels), name, subnet: subnet.subnet };
    const base = await builder.ensureBase('egress-lab');
    const [a, b, c] = subnet.subnet.split('/')[0]!.split('.').map(Number);
    const d = Number(subnet.subnet.split('.')[3]!.split('/')[0]);
    this.targetIp = `${a}.${b}.${c}.${d + 5}`;
    this.stubIp = `${a}.${b}.${c}.${d + 6}`;
    await this.run(
      'target',
      base,
      this.targetIp,
      ['node', '/fx/target.mjs'],
      ['TARGET_NAME=alpha', 'CERT_DIR=/certs', 'TLS_PORTS=443,8443,9443'],
    );
    await this.run('dns', base, this.stubIp, ['node', '/fx/dns-stub.mjs', '0.0.0.0', '53', '@/certs/names.json'], [], true);
  }

  /** Points `name` at `address` in the stub (the gateway's upstream DNS). */
  setName(name: string, address: string): void {
    this.names[name] = address;
    this.writeNames();
  }

  /** Removes the containers, the network and the files. */
  async stop(): Promise<void> {
    await Promise.allSettled(this.containers.map((id) => engine.remove(id)));
    if (this.network.id) await networks.remove(this.network.id);
    rmSync(this.dir, { recursive: true, force: true });
  }

  private writeNames(): void {
    writeFileSync(path.join(this.dir, 'names.json'), JSON.stringify(this.names), { mode: 0o644 });
  }

  /** Starts a helper container and waits until it says it listens (all of its ports, for the target). */
  private async run(role: string, image: string, ip: string, cmd: string[], env: string[], recordQueries = false): Promise<void> {
    const id = await engine.create({
      name: `mcpgw-egress-lab-${role}-${process.pid}-${Date.now().toString(36)}`,
      Image: image,
      Cmd: cmd,
      Env: env,
      User: '65534:65534',
      AttachStdout: true,
      AttachStderr: true,
      Labels: { [LABELS.managed]: 'true', [LABELS.instance]: this.instance, [LABELS.kind]: 'egress-test' },
      HostConfig: {
        NetworkMode: this.network.name,
        ReadonlyRootfs: true,
        CapDrop: ['ALL'],
        SecurityOpt: ['no-new-privileges'],
        Sysctls: { 'net.ipv4.ip_unprivileged_port_start': '0' },
        Mounts: [
          { Type: 'bind', Source: FIXTURES, Target: '/fx', ReadOnly: true },
          { Type: 'bind', Source: this.dir, Target: '/certs', ReadOnly: true },
        ],
      },
      NetworkingConfig: { EndpointsConfig: { [this.network.name]: { IPAMConfig: { IPv4Address: ip } } } },
    });
    this.containers.push(id);
    const stdio = await engine.attach(id);
    let buffered = '';
    let listening = 0;
    const expected = role === 'target' ? 4 : 1;
    const ready = new Promise<void>((resolve) => {
      stdio.stdout.on('data', (chunk: Buffer) => {
        buffered += chunk.toString();
        let newline: number;
        while ((newline = buffered.indexOf('\n')) !== -1) {
          const line = buffered.slice(0, newline);
          buffered = buffered.slice(newline + 1);
          if (/listening/.test(line) && ++listening === expected) resolve();
          if (recordQueries && line.startsWith('{')) {
            const msg = JSON.parse(line) as { query?: string };
            if (msg.query) this.queries.push(msg.query);
          }
        }
      });
    });
    await engine.start(id);
    await ready;
  }
}
