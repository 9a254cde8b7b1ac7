import type { Catalog } from '../../src/config/catalog.js';
import { createLaunchResolver, type LaunchResolver } from '../../daemon/config/launch.js';
import { openEgress } from '../../daemon/egress/open.js';
import { formatDecision } from '../../daemon/egress/report.js';
import { ImageBuilder } from '../../daemon/images/builder.js';
import type { ContainerEngine } from '../../daemon/sandbox/engine.js';
import { currentInstanceId } from '../../daemon/sandbox/instance.js';
import { mountsRefusedBy, openEngine } from '../../daemon/sandbox/open-engine.js';
import { SandboxPlacement, withRuntimeCheck } from '../../daemon/sandbox/runtime-choice.js';
import { SandboxRuntime } from '../../daemon/sandbox/runtime.js';

export interface LocalSandboxes {
  engine: ContainerEngine;
  builder: ImageBuilder;
  runtime: SandboxRuntime;
  launch: LaunchResolver;
}

/**
 * Wires engine, image builder and runtime for commands that run sandboxes in-process (no daemon). Egress decisions
 * of allowlisted servers go to `onLog` as the daemon would put them in the tool's console.
 */
export function openLocalSandboxes(
  catalog: Catalog,
  options: { build: boolean; engine?: ContainerEngine; onLog?: (server: string, line: string) => void },
): LocalSandboxes {
  const engine = options.engine ?? openEngine(catalog.sandbox);
  const builder = new ImageBuilder({
    engine,
    baseImage: catalog.sandbox.baseImage,
    pythonBaseImage: catalog.sandbox.pythonBaseImage,
    build: catalog.sandbox.build,
  });
  const placement = new SandboxPlacement(engine, { runtime: catalog.sandbox.runtime });
  const launch = withRuntimeCheck(
    createLaunchResolver({
      env: process.env,
      secretsFile: catalog.secretsFile,
      remoteEngine: mountsRefusedBy(engine.endpoint, catalog.sandbox)?.display,
    }),
    placement,
  );
  const instanceId = currentInstanceId();
  const networks = openEgress({ engine, builder, instanceId, onDecision: (d) => options.onLog?.(d.server, formatDecision(d)) });
  const runtime = new SandboxRuntime({
    engine,
    placement,
    instanceId,
    networks,
    resolveImage: (server) => builder.imageFor(server, { build: options.build }),
    resolveLaunch: (server) => launch.resolve(server),
    maxContainers: catalog.sandbox.maxContainers,
    maxConcurrentStarts: catalog.sandbox.maxConcurrentStarts,
    maxMessageBytes: catalog.sandbox.maxMessageSize,
    startTimeoutMs: catalog.sandbox.startTimeout,
  });
  return { engine, builder, runtime, launch };
}
