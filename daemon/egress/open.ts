import Docker from 'dockerode';
import type { ImageBuilder } from '../images/builder.js';
import { DockerodeEngine } from '../sandbox/dockerode-engine.js';
import type { ContainerEngine } from '../sandbox/engine.js';
import { DockerNetworks } from './docker-networks.js';
import { ensureGatewayImage } from './image.js';
import { EgressManager, type EgressManagerOptions } from './manager.js';

/** Wires an EgressManager to the engine in use, with the gateway image built on the sandboxes' base image. */
export function openEgress(
  options: { engine: ContainerEngine; builder: ImageBuilder; instanceId: string } & Omit<
    EgressManagerOptions,
    'engine' | 'networks' | 'instanceId' | 'gatewayImage'
  >,
): EgressManager {
  const { engine, builder, ...rest } = options;
  const docker = engine instanceof DockerodeEngine ? engine.docker : new Docker();
  return new EgressManager({
    ...rest,
    engine,
    networks: new DockerNetworks(docker),
    gatewayImage: async () => ensureGatewayImage(engine, await builder.ensureBase('egress gateway')),
  });
}
