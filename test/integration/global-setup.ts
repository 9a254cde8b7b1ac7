import { copyFile, mkdir, stat, utimes } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { DockerNetworks } from '../../daemon/egress/docker-networks.js';
import { isInstanceAlive } from '../../daemon/sandbox/instance.js';
import { LABELS } from '../../daemon/sandbox/labels.js';
import { engine, builder } from '../helpers/docker.js';
import { testCatalog } from '../helpers/catalog.js';

const BUSYBOX = '/bin/busybox';

/**
 * Integration tests need a real Docker engine: without one they fail (never skip). Images for the test catalog are
 * built once here; they are cached by recipe hash, so later runs only check they exist.
 */
export async function setup(): Promise<void> {
  try {
    await engine.ping();
  } catch (err) {
    throw new Error(`integration tests need a running Docker engine (run .ci/run, or start dockerd): ${(err as Error).message}`);
  }
  // scripts/test-engines.sh names the engine it means to test: a run that reached another one would prove nothing.
  const wanted = process.env.MCPGW_TEST_ENGINE;
  if (wanted) {
    const { kind } = await engine.facts();
    if (kind !== wanted) throw new Error(`MCPGW_TEST_ENGINE=${wanted} but the engine at DOCKER_HOST is ${kind}`);
  }
  // The test server's fork-bomb probe needs a shell; a static busybox is shipped inside its package.
  const binDir = fileURLToPath(new URL('../fixtures/test-server/bin/', import.meta.url));
  await mkdir(binDir, { recursive: true });
  // Copied with its own mtime kept: the image recipe hash covers file times, so an unchanged busybox means no rebuild.
  const source = await stat(BUSYBOX).catch((err: unknown) => {
    throw new Error(`the sandbox hardening tests need ${BUSYBOX} (apt-get install busybox-static): ${(err as Error).message}`);
  });
  const target = `${binDir}busybox`;
  const existing = await stat(target).catch(() => undefined);
  if (existing?.size !== source.size || existing.mtimeMs !== source.mtimeMs) {
    await copyFile(BUSYBOX, target);
    await utimes(target, source.atime, source.mtime);
  }
  for (const server of testCatalog().servers.values()) {
    await builder.build(server, (p) => {
      if (p.phase !== 'docker') process.stderr.write(`[setup] ${p.server}: ${p.line}\n`);
    });
  }
}

/**
 * Fails the run if any test left a container or a network behind: one whose owning process (a test worker, an mcpd
 * a test started) has exited. Those of processes still running (a developer's own mcpd) are not ours to judge.
 */
export async function teardown(): Promise<void> {
  const managed = await engine.listManaged();
  const left = [];
  for (const c of managed) if (!(await isInstanceAlive(c.labels[LABELS.instance] ?? ''))) left.push(c);
  if (left.length > 0) await Promise.all(left.map((c) => engine.remove(c.id)));
  const networks = new DockerNetworks(engine.docker);
  const leftNetworks = [];
  for (const n of await networks.listManaged()) if (!(await isInstanceAlive(n.labels[LABELS.instance] ?? ''))) leftNetworks.push(n);
  await Promise.allSettled(leftNetworks.map((n) => networks.remove(n.id)));
  const leaks = [
    ...(left.length > 0 ? [`${left.length} sandbox container(s): ${left.map((c) => c.name).join(', ')}`] : []),
    ...(leftNetworks.length > 0 ? [`${leftNetworks.length} network(s): ${leftNetworks.map((n) => n.name).join(', ')}`] : []),
  ];
  if (leaks.length > 0) throw new Error(`tests leaked ${leaks.join('; ')}`);
}
