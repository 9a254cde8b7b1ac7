import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ContainerCreateOptions } from 'dockerode';
import { McpgwError } from '../../src/errors.js';
import { buildContext } from '../images/context.js';
import type { ContainerEngine } from '../sandbox/engine.js';
import { LABELS } from '../sandbox/labels.js';
import { ATTACHED_STDIO, SANDBOX_USER } from '../sandbox/spec.js';

/** What the gateway container runs as, and the limits it runs under. */
export const GATEWAY_LIMITS = { memoryBytes: 256 * 1024 ** 2, nanoCpus: 1e9, pids: 64 } as const;

/**
 * The compiled gateway: next to this module when mcpd runs from dist/, else in dist/ of the checkout (tests run
 * the TypeScript sources; the gateway itself must be plain JavaScript for the node in its image).
 */
export function gatewayCodeDir(): string {
  const here = fileURLToPath(new URL('./gateway/', import.meta.url));
  if (existsSync(path.join(here, 'main.js'))) return here;
  const built = fileURLToPath(new URL('../../dist/daemon/egress/gateway/', import.meta.url));
  if (existsSync(path.join(built, 'main.js'))) return built;
  throw new McpgwError('image_build_failed', `the egress gateway is not compiled (no main.js in ${here} or ${built}): run npm run build`);
}

/** The gateway's files; each may import only node: built-ins and its neighbours (the image holds nothing else). */
export async function gatewayFiles(dir = gatewayCodeDir()): Promise<Array<{ path: string; content: string }>> {
  const names = (await readdir(dir)).filter((n) => n.endsWith('.js')).sort();
  const files = await Promise.all(
    names.map(async (name) => ({ path: `/egress/${name}`, content: await readFile(path.join(dir, name), 'utf8') })),
  );
  for (const file of files) {
    for (const match of file.content.matchAll(/\bfrom\s*['"]([^'"]+)['"]|\bimport\s*\(?\s*['"]([^'"]+)['"]/g)) {
      const spec = match[1] ?? match[2] ?? '';
      if (!spec.startsWith('node:') && !/^\.\/[\w-]+\.js$/.test(spec)) {
        throw new McpgwError(
          'image_build_failed',
          `gateway file ${file.path} imports "${spec}": only node: built-ins and ./neighbours fit in its image`,
        );
      }
    }
  }
  return [...files, { path: '/egress/package.json', content: '{ "type": "module" }\n' }];
}

/** Builds (or finds) `mcpgw/egress:<hash>` on top of the base image; the hash covers the base and the code. */
export async function ensureGatewayImage(engine: ContainerEngine, base: string): Promise<string> {
  const files = await gatewayFiles();
  const hash = createHash('sha256').update(base);
  for (const f of files) hash.update(`${f.path}\0${f.content}\0`);
  const tag = `mcpgw/egress:${hash.digest('hex').slice(0, 12)}`;
  if (await engine.inspectImage(tag)) return tag;
  const dockerfile = [
    `FROM ${base}`,
    'COPY rootfs/ /',
    'USER 65534:65534',
    'WORKDIR /egress',
    'ENTRYPOINT ["node", "/egress/main.js"]',
  ].join('\n');
  await engine.buildImage(buildContext(dockerfile, files, []), tag, { [LABELS.managed]: 'true', [LABELS.kind]: 'egress' }, () => undefined);
  return tag;
}

export interface GatewaySpecInput {
  image: string;
  name: string;
  instanceId: string;
  /** The network it reaches the world through (the default bridge; tests: their own network). */
  network: string;
}

/**
 * The gateway's container: as locked down as a sandbox except that it has a network. IP forwarding is off (it
 * relays bytes as a process, never packets), and it may bind ports below 1024 without any capability.
 */
export function buildGatewaySpec({ image, name, instanceId, network }: GatewaySpecInput): ContainerCreateOptions {
  return {
    name,
    Image: image,
    User: SANDBOX_USER,
    ...ATTACHED_STDIO,
    Labels: { [LABELS.managed]: 'true', [LABELS.instance]: instanceId, [LABELS.kind]: 'egress-gateway' },
    HostConfig: {
      Init: true,
      Memory: GATEWAY_LIMITS.memoryBytes,
      MemorySwap: GATEWAY_LIMITS.memoryBytes,
      NanoCpus: GATEWAY_LIMITS.nanoCpus,
      PidsLimit: GATEWAY_LIMITS.pids,
      NetworkMode: network,
      ReadonlyRootfs: true,
      CapDrop: ['ALL'],
      SecurityOpt: ['no-new-privileges'],
      Sysctls: { 'net.ipv4.ip_forward': '0', 'net.ipv4.ip_unprivileged_port_start': '0' },
      LogConfig: { Type: 'none', Config: {} },
      AutoRemove: false,
    },
  };
}
