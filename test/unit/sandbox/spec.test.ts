import { describe, expect, it } from 'vitest';
import { buildGatewaySpec } from '../../../daemon/egress/image.js';
import { buildContainerSpec } from '../../../daemon/sandbox/spec.js';
import type { ServerConfig } from '../../../src/config/catalog.js';
import type { LaunchSpec } from '../../../daemon/config/launch.js';

const server: ServerConfig = {
  name: 'memory',
  command: 'mcp-server-memory',
  args: ['--verbose'],
  env: { MEMORY_FILE_PATH: '/tmp/memory.jsonl' },
  envFiles: [],
  image: undefined,
  build: { npm: ['@modelcontextprotocol/server-memory'] },
  runtime: 'node',
  network: 'none',
  mounts: [],
  limits: { memoryBytes: 512 * 1024 * 1024, nanoCpus: 500_000_000, pids: 128, outputBytesPerSecond: 65_536, outputLinesPerSecond: 200 },
  timeoutMs: 60_000,
  maxTotalTimeoutMs: 600_000,
  workdir: undefined,
  disabled: false,
};

/** The launch of a server without secrets: its own env, args and mounts. */
const plain = (s: ServerConfig): LaunchSpec => ({ env: s.env, args: s.args, mounts: s.mounts });

describe('buildContainerSpec', () => {
  it('builds the exact hardened spec by default', () => {
    expect(
      buildContainerSpec({
        server,
        launch: plain(server),
        image: 'mcpgw/memory:abc',
        sessionId: 's1',
        instanceId: 'host:1:2',
        containerName: 'mcpgw-memory-0001',
      }),
    ).toEqual({
      name: 'mcpgw-memory-0001',
      Image: 'mcpgw/memory:abc',
      Entrypoint: ['mcp-server-memory'],
      Cmd: ['--verbose'],
      Env: ['HOME=/tmp', 'MEMORY_FILE_PATH=/tmp/memory.jsonl'],
      User: '65534:65534',
      WorkingDir: '/tmp',
      Tty: false,
      OpenStdin: true,
      StdinOnce: true,
      AttachStdin: true,
      AttachStdout: true,
      AttachStderr: true,
      NetworkDisabled: true,
      Labels: { 'mcpgw.managed': 'true', 'mcpgw.session': 's1', 'mcpgw.server': 'memory', 'mcpgw.instance': 'host:1:2' },
      HostConfig: {
        Init: true,
        Memory: 536_870_912,
        MemorySwap: 536_870_912,
        CpuPeriod: 1_000_000,
        CpuQuota: 500_000,
        PidsLimit: 128,
        NetworkMode: 'none',
        ReadonlyRootfs: true,
        Tmpfs: { '/tmp': 'rw,noexec,nosuid,nodev,size=64m,uid=65534,gid=65534,mode=1777' },
        CapDrop: ['ALL'],
        SecurityOpt: ['no-new-privileges'],
        LogConfig: { Type: 'none', Config: {} },
        Mounts: [],
        AutoRemove: false,
      },
    });
  });

  it('loosens only what the server config asks for, visibly', () => {
    const loosened: ServerConfig = {
      ...server,
      command: undefined,
      args: [],
      network: 'bridge',
      mounts: [
        { source: '/home/me/docs', target: '/docs', readOnly: true },
        { source: '/home/me/out', target: '/out', readOnly: false },
      ],
      limits: { memoryBytes: 1024 ** 3, nanoCpus: 1e9, pids: 256, outputBytesPerSecond: 65_536, outputLinesPerSecond: 200 },
      workdir: '/docs',
    };
    const spec = buildContainerSpec({
      server: loosened,
      launch: plain(loosened),
      image: 'img',
      sessionId: 's',
      instanceId: 'i',
      containerName: 'n',
    });
    expect(spec.Entrypoint).toBeUndefined();
    expect(spec.Cmd).toBeUndefined();
    expect(spec.NetworkDisabled).toBe(false);
    expect(spec.WorkingDir).toBe('/docs');
    expect(spec.HostConfig).toMatchObject({
      NetworkMode: 'bridge',
      Memory: 1024 ** 3,
      MemorySwap: 1024 ** 3,
      CpuPeriod: 1_000_000,
      CpuQuota: 1_000_000,
      PidsLimit: 256,
      ReadonlyRootfs: true,
      CapDrop: ['ALL'],
      Mounts: [
        { Type: 'bind', Source: '/home/me/docs', Target: '/docs', ReadOnly: true },
        { Type: 'bind', Source: '/home/me/out', Target: '/out', ReadOnly: false },
      ],
    });
  });

  it('passes only the environment the config names (plus HOME, which the config may override)', () => {
    const withEnv = { ...server, env: { HOME: '/data', TOKEN: 'x' } };
    const spec = buildContainerSpec({
      server: withEnv,
      launch: plain(withEnv),
      image: 'i',
      sessionId: 's',
      instanceId: 'i',
      containerName: 'n',
    });
    expect(spec.Env).toEqual(['HOME=/data', 'TOKEN=x']);
  });

  it('takes env, args and mounts from the resolved launch, not from the templates in the config', () => {
    const templated = { ...server, env: { TOKEN: '${API_TOKEN}' }, args: ['--key', '${env:API_TOKEN}'] };
    const spec = buildContainerSpec({
      server: templated,
      launch: {
        env: { TOKEN: 'resolved' },
        args: ['--key', 'resolved'],
        mounts: [{ source: '/real/docs', target: '/docs', readOnly: true }],
      },
      image: 'i',
      sessionId: 's',
      instanceId: 'i',
      containerName: 'n',
    });
    expect(spec.Env).toEqual(['HOME=/tmp', 'TOKEN=resolved']);
    expect(spec.Cmd).toEqual(['--key', 'resolved']);
    expect(spec.HostConfig?.Mounts).toEqual([{ Type: 'bind', Source: '/real/docs', Target: '/docs', ReadOnly: true }]);
  });

  it('covers each image VOLUME with a noexec tmpfs, unless a configured mount already covers it', () => {
    const spec = buildContainerSpec({
      server,
      launch: { env: {}, args: [], mounts: [{ source: '/real/docs', target: '/docs', readOnly: true }] },
      image: 'i',
      sessionId: 's',
      instanceId: 'i',
      containerName: 'n',
      imageVolumes: ['/data', '/cache/', '/docs', '/tmp', '/'],
    });
    const scratch = 'rw,noexec,nosuid,nodev,size=64m,uid=65534,gid=65534,mode=1777';
    expect(spec.HostConfig?.Tmpfs).toEqual({ '/tmp': scratch, '/data': scratch, '/cache': scratch });
  });
});

describe('buildContainerSpec with an egress allowlist', () => {
  const allowlisted: ServerConfig = { ...server, network: { allow: [{ host: 'api.github.com', wildcard: false, ports: [443, 80] }] } };
  const network = { network: 'mcpgw-egress-abc', ip: '10.200.0.3', dns: ['10.200.0.2'], env: {} };

  it('joins its own network at a fixed address, with the gateway as its only resolver', () => {
    const spec = buildContainerSpec({
      server: allowlisted,
      launch: plain(allowlisted),
      image: 'i',
      sessionId: 's',
      instanceId: 'i',
      containerName: 'n',
      network,
    });
    expect(spec.NetworkDisabled).toBe(false);
    expect(spec.NetworkingConfig).toEqual({ EndpointsConfig: { 'mcpgw-egress-abc': { IPAMConfig: { IPv4Address: '10.200.0.3' } } } });
    expect(spec.HostConfig).toMatchObject({
      NetworkMode: 'mcpgw-egress-abc',
      Dns: ['10.200.0.2'],
      DnsSearch: ['.'],
      CapDrop: ['ALL'],
      ReadonlyRootfs: true,
    });
  });

  it('fails closed: no allowlisted server without its network, no network for anyone else', () => {
    expect(() =>
      buildContainerSpec({
        server: allowlisted,
        launch: plain(allowlisted),
        image: 'i',
        sessionId: 's',
        instanceId: 'i',
        containerName: 'n',
      }),
    ).toThrow(/egress network/);
    expect(() =>
      buildContainerSpec({ server, launch: plain(server), image: 'i', sessionId: 's', instanceId: 'i', containerName: 'n', network }),
    ).toThrow(/egress network/);
  });
});

describe('buildGatewaySpec', () => {
  it('builds the exact gateway container: a sandbox with a network, forwarding off', () => {
    expect(buildGatewaySpec({ image: 'mcpgw/egress:abc', name: 'mcpgw-egress-gw-1', instanceId: 'host:1:2', network: 'bridge' })).toEqual({
      name: 'mcpgw-egress-gw-1',
      Image: 'mcpgw/egress:abc',
      User: '65534:65534',
      Tty: false,
      OpenStdin: true,
      StdinOnce: true,
      AttachStdin: true,
      AttachStdout: true,
      AttachStderr: true,
      Labels: { 'mcpgw.managed': 'true', 'mcpgw.instance': 'host:1:2', 'mcpgw.kind': 'egress-gateway' },
      HostConfig: {
        Init: true,
        Memory: 268_435_456,
        MemorySwap: 268_435_456,
        NanoCpus: 1_000_000_000,
        PidsLimit: 64,
        NetworkMode: 'bridge',
        ReadonlyRootfs: true,
        CapDrop: ['ALL'],
        SecurityOpt: ['no-new-privileges'],
        Sysctls: { 'net.ipv4.ip_forward': '0', 'net.ipv4.ip_unprivileged_port_start': '0' },
        LogConfig: { Type: 'none', Config: {} },
        AutoRemove: false,
      },
    });
  });
});
