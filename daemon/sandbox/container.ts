import { randomBytes } from 'node:crypto';
import type { ServerConfig } from '../../src/config/catalog.js';
import type { LaunchSpec } from '../config/launch.js';
import type { ContainerEngine } from './engine.js';
import type { SandboxNetworkAttachment } from './network-hook.js';
import type { Placement } from './runtime-choice.js';
import { buildContainerSpec } from './spec.js';

/** A sandbox's container, created and not started: no process, no CPU, no memory, only the engine's record of it. */
export interface CreatedContainer {
  id: string;
  name: string;
}

export interface ContainerInput {
  engine: ContainerEngine;
  server: ServerConfig;
  /** Resolved env, args and mounts (secrets expanded): they go into the create call and nowhere else. */
  launch: LaunchSpec;
  image: string;
  /** The session label; `pool` for a container no session has taken yet. */
  sessionId: string;
  instanceId: string;
  /** The egress network of a server with an allowlist. */
  network?: SandboxNetworkAttachment | undefined;
  /** The runtime (runtime-choice.ts); without it: the engine's default runtime. */
  placement?: Placement | undefined;
}

/** Creates the hardened container of one sandbox (spec.ts), with a tmpfs over each VOLUME its image declares. */
export async function createSandboxContainer(input: ContainerInput): Promise<CreatedContainer> {
  const { engine, placement } = input;
  const name = `mcpgw-${input.server.name}-${randomBytes(4).toString('hex')}`;
  const imageVolumes = (await engine.inspectImage(input.image))?.volumes;
  const id = await engine.create(
    buildContainerSpec({
      ...input,
      containerName: name,
      imageVolumes,
      runtime: placement?.runtime.engineRuntime,
    }),
  );
  return { id, name };
}
