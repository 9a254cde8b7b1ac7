import { createLaunchResolver } from '../../daemon/config/launch.js';
import { ImageBuilder } from '../../daemon/images/builder.js';
import { DockerodeEngine } from '../../daemon/sandbox/dockerode-engine.js';
import { currentInstanceId } from '../../daemon/sandbox/instance.js';
import { SandboxPlacement } from '../../daemon/sandbox/runtime-choice.js';
import { POOL_SESSION, SandboxRuntime, type SandboxRuntimeOptions } from '../../daemon/sandbox/runtime.js';
import type { ManagedContainer } from '../../daemon/sandbox/engine.js';
import { runtimeSettingSchema } from '../../src/config/sandbox-runtime.js';
import { LABELS } from '../../daemon/sandbox/labels.js';

export const engine = new DockerodeEngine();
export const builder = new ImageBuilder({ engine });
/** Secrets from the test process's environment; no secrets.env. */
export const testLaunch = createLaunchResolver({ env: process.env, secretsFile: undefined });

/**
 * The container runtime the sandbox tests run under: MCPGW_TEST_RUNTIME=runsc runs them under gVisor (CI does, for
 * the hardening and hostile-server suites). A runsc the engine lacks fails the start: never a silent runc.
 */
export const testRuntimeSetting = runtimeSettingSchema.parse(process.env.MCPGW_TEST_RUNTIME ?? 'runc');

/** Where test sandboxes run: the runtime above. */
export const testPlacement = new SandboxPlacement(engine, { runtime: testRuntimeSetting });

/** A runtime over the real engine with the project's defaults; tests pass overrides. */
export function testRuntime(overrides: Partial<SandboxRuntimeOptions> = {}): SandboxRuntime {
  return new SandboxRuntime({
    engine,
    placement: testPlacement,
    instanceId: currentInstanceId(),
    resolveImage: (server) => builder.imageFor(server, { build: false }),
    resolveLaunch: (server) => testLaunch.resolve(server),
    maxContainers: 64,
    maxConcurrentStarts: 4,
    maxMessageBytes: 16 * 1024 * 1024,
    startTimeoutMs: 30_000,
    ...overrides,
  });
}

/** Containers labelled as mcpgw's that belong to one test session. */
export async function containersOf(sessionId: string): Promise<string[]> {
  return (await engine.listManaged({ [LABELS.session]: sessionId })).map((c) => c.id);
}

/** Whether the engine still has a container, in any state. */
export async function containerExists(id: string): Promise<boolean> {
  return (await engine.inspectExit(id)) !== undefined;
}

/**
 * An instance's containers other than its standbys (created, never started, labelled for no session: what the next
 * session's start takes). A daemon keeps one per server it has started until the idle timeout.
 */
export async function containersBesidesStandbys(instanceId: string): Promise<ManagedContainer[]> {
  const mine = await engine.listManaged({ [LABELS.instance]: instanceId });
  return mine.filter((c) => !(c.state === 'created' && c.labels[LABELS.session] === POOL_SESSION));
}
