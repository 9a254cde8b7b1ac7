import { mkdtempSync, writeFileSync } from 'node:fs';
import { release, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { LABELS } from '../../daemon/sandbox/labels.js';
import { SandboxPlacement } from '../../daemon/sandbox/runtime-choice.js';
import { testServer } from '../helpers/catalog.js';
import { mcpgw } from '../helpers/cli.js';
import { builder, containersOf, engine, testRuntime } from '../helpers/docker.js';

// gVisor per engine: whether a container the engine is asked to run under "runsc" really gets gVisor's kernel (it
// reports Linux 4.4.0), and what mcpgw does about it. Runs against Docker in the full suite and against Podman in
// `scripts/test-engines.sh podman`.

const session = `runtime-engine-${process.pid}`;
const info = await engine.describe();
const gvisorListed = info.runtimes.includes('runsc') && info.runtimes.includes('runsc-net');
const GVISOR_KERNEL = '4.4.0';
const PODMAN_REFUSAL =
  'runtime "runsc" is configured but Podman cannot run a sandbox under gVisor: Podman\'s Docker API ignores a container\'s runtime and would run it under runc; use Docker with scripts/gvisor.sh, or set "runtime": "runc"';

afterAll(async () => {
  expect(await containersOf(session)).toEqual([]);
});

/** The kernel release a container created straight through the engine's API with `HostConfig.Runtime` sees. */
async function kernelUnder(runtime: string): Promise<string> {
  const image = await builder.imageFor(testServer('testsrv'), { build: false });
  const container = await engine.docker.createContainer({
    Image: image,
    Entrypoint: ['node'],
    Cmd: ['-e', "process.stdout.write(require('os').release())"],
    User: '65534:65534',
    Labels: { [LABELS.managed]: 'true', [LABELS.session]: session },
    HostConfig: { Runtime: runtime, NetworkMode: 'none' },
  });
  try {
    await container.start();
    await container.wait();
    const logs = (await container.logs({ stdout: true, stderr: true })).toString('latin1');
    // Non-tty logs carry an 8-byte frame header per chunk; the release is the one word of output.
    return /\d+\.\d+\.\d+\S*/.exec(logs)?.[0] ?? logs;
  } finally {
    await container.remove({ force: true });
  }
}

function runscConfig(): string {
  const root = fileURLToPath(new URL('../../', import.meta.url));
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'mcpgw-runtime-')), 'config.json');
  const testsrv = { build: { npm: [path.join(root, 'test/fixtures/test-server')] }, command: 'mcpgw-test-server' };
  writeFileSync(file, JSON.stringify({ sandbox: { runtime: 'runsc' }, mcpServers: { testsrv } }));
  return file;
}

const podman = info.facts.kind === 'podman';

describe(`gVisor on ${info.name}`, () => {
  it(`runs what a container asks for with HostConfig.Runtime "runsc" under ${podman ? 'runc (Podman ignores it)' : 'gVisor'}`, async () => {
    if (podman) {
      // /info lists runsc and the create is accepted, but the container sees the host's kernel, not gVisor's.
      expect(info.runtimes).toContain('runsc');
      expect(await kernelUnder('runsc')).toBe(release());
    } else if (gvisorListed) {
      expect(await kernelUnder('runsc')).toBe(GVISOR_KERNEL);
    } else {
      await expect(kernelUnder('runsc')).rejects.toThrow(/runsc/);
    }
  });

  it(`${podman ? 'refuses a sandbox configured for runsc, with the reason, creating nothing' : 'runs a sandbox configured for runsc under gVisor’s kernel'}`, async () => {
    const runtime = testRuntime({ placement: new SandboxPlacement(engine, { runtime: 'runsc' }) });
    try {
      if (podman || !gvisorListed) {
        await expect(runtime.acquire(session, testServer('testsrv'))).rejects.toMatchObject({
          code: 'server_unavailable',
          message: podman ? `server "testsrv" cannot start: ${PODMAN_REFUSAL}` : expect.stringMatching(/no gVisor/),
        });
        expect(await containersOf(session)).toEqual([]);
      } else {
        const sandbox = await runtime.acquire(session, testServer('testsrv'));
        const result = await sandbox.callTool('probe', {});
        const facts = JSON.parse((result.content as Array<{ text: string }>)[0]!.text) as { kernel: string };
        expect(facts.kernel).toBe(GVISOR_KERNEL);
      }
    } finally {
      await runtime.closeAll();
    }
    // `auto` takes gVisor where the engine really runs it, else the runtime the sandbox really gets, named.
    const auto = await new SandboxPlacement(engine, { runtime: 'auto' }).place(testServer('testsrv'));
    expect(auto.runtime).toEqual(
      podman || !gvisorListed
        ? { kind: 'runc', engineRuntime: undefined, name: info.defaultRuntime }
        : { kind: 'runsc', engineRuntime: 'runsc', name: 'runsc' },
    );
  });

  it('says in servers ls, servers test and doctor whether a runsc server can run', async () => {
    const config = runscConfig();
    const ls = await mcpgw(['--config', config, 'servers', 'ls', '--json']);
    expect(ls.code).toBe(0);
    const listed = (JSON.parse(ls.stdout) as { servers: Array<Record<string, unknown>> }).servers;
    const doctor = await mcpgw(['--config', config, 'doctor']);
    if (podman) {
      expect(listed).toEqual([
        expect.objectContaining({ name: 'testsrv', status: 'unavailable', runtime: 'runsc', reason: PODMAN_REFUSAL }),
      ]);
      const test = await mcpgw(['--config', config, 'servers', 'test', 'testsrv']);
      expect(test.code).not.toBe(0);
      expect(test.stderr.trim()).toBe(`mcpgw: server "testsrv" is unavailable: ${PODMAN_REFUSAL}`);
      expect(doctor.stdout).toMatch(
        /^FAIL\s+runtimes\s+.*no gVisor: Podman's Docker API ignores a container's runtime and would run it under runc — fix: use Docker with scripts\/gvisor\.sh/m,
      );
      expect(doctor.stdout).toContain(PODMAN_REFUSAL);
    } else if (gvisorListed) {
      expect(listed).toEqual([expect.objectContaining({ name: 'testsrv', status: 'available', runtime: 'runsc' })]);
      expect(doctor.stdout).toMatch(/^ok\s+runtimes\s+.*sandboxes: runsc\)$/m);
    } else {
      expect(listed).toEqual([
        expect.objectContaining({ name: 'testsrv', status: 'unavailable', reason: expect.stringMatching(/no gVisor/) }),
      ]);
      expect(doctor.stdout).toMatch(/^FAIL\s+runtimes\s+.*gVisor \(runsc and runsc-net\) not registered/m);
    }
  });
});
