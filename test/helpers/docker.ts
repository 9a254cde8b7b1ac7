import { createLaunchResolver } from '../../daemon/config/launch.js';
import { ImageBuilder } from '../../daemon/images/builder.js';
import { DockerodeEngine } from '../../daemon/sandbox/engine.js';
import { currentInstanceId } from '../../daemon/sandbox/instance.js';
import { SandboxRuntime, type SandboxRuntimeOptions } from '../../daemon/sandbox/runtime.js';
import { LABELS } from '../../daemon/sandbox/labels.js';

export const engine = new DockerodeEngine();
export const builder = new ImageBuilder({ engine });
/** Secrets from the test process's environment; no secrets.env. */
export const testLaunch = createLaunchResolver({ env: process.env, secretsFile: undefined });

/** A runtime over the real engine with the project's defaults; tests pass overrides. */
export function testRuntime(overrides: Partial<SandboxRuntimeOptions> = {}): SandboxRuntime {
  return new SandboxRuntime({
    engine,
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
