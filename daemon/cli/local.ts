import type { Catalog } from '../../src/config/catalog.js';
import { createLaunchResolver, type LaunchResolver } from '../config/launch.js';
import { ImageBuilder } from '../images/builder.js';
import { DockerodeEngine, type ContainerEngine } from '../sandbox/engine.js';
import { currentInstanceId } from '../sandbox/instance.js';
import { SandboxRuntime } from '../sandbox/runtime.js';

export interface LocalSandboxes {
  engine: ContainerEngine;
  builder: ImageBuilder;
  runtime: SandboxRuntime;
  launch: LaunchResolver;
}

/** Wires engine, image builder and runtime for commands that run sandboxes in-process (no daemon). */
export function openLocalSandboxes(catalog: Catalog, options: { build: boolean; engine?: ContainerEngine }): LocalSandboxes {
  const engine = options.engine ?? new DockerodeEngine();
  const builder = new ImageBuilder({
    engine,
    baseImage: catalog.sandbox.baseImage,
    pythonBaseImage: catalog.sandbox.pythonBaseImage,
    build: catalog.sandbox.build,
  });
  const launch = createLaunchResolver({ env: process.env, secretsFile: catalog.secretsFile });
  const runtime = new SandboxRuntime({
    engine,
    instanceId: currentInstanceId(),
    resolveImage: (server) => builder.imageFor(server, { build: options.build }),
    resolveLaunch: (server) => launch.resolve(server),
    maxContainers: catalog.sandbox.maxContainers,
    maxConcurrentStarts: catalog.sandbox.maxConcurrentStarts,
    maxMessageBytes: catalog.sandbox.maxMessageSize,
    startTimeoutMs: catalog.sandbox.startTimeout,
  });
  return { engine, builder, runtime, launch };
}
