import type Docker from 'dockerode';
import { describe, expect, it } from 'vitest';
import { statusText } from '../../../cli/client/daemon.js';
import { DockerodeEngine } from '../../../daemon/sandbox/dockerode-engine.js';
import { engineSummary, limitsLoosening } from '../../../daemon/sandbox/open-engine.js';
import { statusReporter } from '../../../daemon/status.js';

// `sandbox.allowUnenforcedLimits: true` on an engine that ignores limits (rootless on cgroup v1) runs every sandbox
// without its memory, CPU and pids limits: a loosening, so `daemon:status` lists it (with the engine's reason) and
// every status display shows it, like the test-only egress override.

const REASON =
  'rootless Podman on cgroup v1 cannot apply memory, CPU or pids limits (it ignores them); use the rootful engine or cgroup v2 with systemd';
const LINE = `${REASON}: sandboxes run WITHOUT memory, CPU and pids limits (sandbox.allowUnenforcedLimits)`;

/** A Podman 4.3 that answers /version and /info like the real one; `down` makes it unreachable until set false. */
function podman(info: Record<string, unknown>, link = { down: false }): Docker {
  const answer = <T>(value: T): Promise<T> =>
    link.down ? Promise.reject(new Error('connect ENOENT /run/podman/podman.sock')) : Promise.resolve(value);
  return {
    modem: {},
    version: () => answer({ Components: [{ Name: 'Podman Engine' }], Version: '4.3.1', ApiVersion: '1.41', Os: 'linux', Arch: 'amd64' }),
    info: () => answer({ CgroupDriver: 'cgroupfs', MemoryLimit: true, SwapLimit: true, CpuCfsQuota: true, PidsLimit: true, ...info }),
  } as unknown as Docker;
}

const ROOTLESS_V1 = { Rootless: true, CgroupVersion: '1' };

/** `daemon:status` as mcpd builds it over this engine and setting (plus any daemon-wide loosening). */
function statusOver(docker: Docker, allow: boolean, loosened?: string[]) {
  const engine = new DockerodeEngine(docker, undefined, { allowUnenforcedLimits: allow });
  const report = statusReporter({
    store: { listSessions: () => Promise.resolve([]) },
    runtime: { stats: () => ({ running: 0, starting: 0, queued: 0, capacity: 8, pooled: 0, standby: 0, runtimes: {} }) },
    connection: { url: 'redis://127.0.0.1:6390', private: true, redis: { status: 'ready' } as never },
    startedAt: Date.now(),
    engine: engineSummary(engine),
    engineLoosened: limitsLoosening(engine, allow),
    ...(loosened ? { loosened } : {}),
  });
  return () => report('alice', 'http://127.0.0.1:7450');
}

describe('sandbox.allowUnenforcedLimits in daemon status', () => {
  it('is listed as loosened, with the engine’s reason, where the engine cannot enforce limits', async () => {
    const status = await statusOver(podman(ROOTLESS_V1), true)();
    expect(status.loosened).toEqual([LINE]);
    const lines = statusText(status).split('\n');
    expect(lines[1]).toBe(`LOOSENED: ${LINE}`);
  });

  it('is not a loosening while the setting is off: there every sandbox start is refused instead', async () => {
    const status = await statusOver(podman(ROOTLESS_V1), false)();
    expect(status).not.toHaveProperty('loosened');
    expect(statusText(status)).not.toContain('LOOSENED');
  });

  it('is not a loosening on an engine that enforces limits', async () => {
    expect(await statusOver(podman({ Rootless: false, CgroupVersion: '1' }), true)()).not.toHaveProperty('loosened');
    expect(await statusOver(podman({ Rootless: true, CgroupVersion: '2', CgroupDriver: 'systemd' }), true)()).not.toHaveProperty(
      'loosened',
    );
  });

  it('appears once the engine answers, when mcpd started while it was unreachable', async () => {
    const link = { down: true };
    const status = statusOver(podman(ROOTLESS_V1, link), true);
    const before = await status();
    expect(before.engine.name).toBe('unreachable');
    expect(before).not.toHaveProperty('loosened');
    link.down = false;
    expect((await status()).loosened).toEqual([LINE]);
  });

  it('comes before a daemon-wide loosening, each on a line of its own', async () => {
    const status = await statusOver(podman(ROOTLESS_V1), true, ['MCPGW_TEST_EGRESS is set'])();
    expect(status.loosened).toEqual([LINE, 'MCPGW_TEST_EGRESS is set']);
    expect(
      statusText(status)
        .split('\n')
        .filter((l) => l.startsWith('LOOSENED: ')),
    ).toEqual([`LOOSENED: ${LINE}`, 'LOOSENED: MCPGW_TEST_EGRESS is set']);
  });
});
