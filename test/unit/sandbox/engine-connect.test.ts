import { describe, expect, it } from 'vitest';
import { isMcpgwError } from '../../../src/errors.js';
import { connectionError, dockerOptions, resolveEngineEndpoint } from '../../../daemon/sandbox/engine-connect.js';

const HOME = '/home/u';

function resolve(opts: { setting?: string; env?: NodeJS.ProcessEnv; present?: string[] }) {
  const present = new Set(opts.present ?? []);
  return resolveEngineEndpoint({ setting: opts.setting, env: opts.env ?? {}, exists: (p) => present.has(p), home: HOME });
}

describe('resolveEngineEndpoint', () => {
  it('uses the Docker socket when nothing is set and it exists', () => {
    expect(resolve({ present: ['/var/run/docker.sock', '/run/podman/podman.sock'] })).toMatchObject({
      kind: 'unix',
      socketPath: '/var/run/docker.sock',
      source: 'default',
      remote: false,
    });
  });

  it('falls back to rootless Docker, then the user Podman socket, then the system Podman socket', () => {
    const env = { XDG_RUNTIME_DIR: '/run/user/1000' };
    const all = ['/run/user/1000/docker.sock', '/run/user/1000/podman/podman.sock', '/run/podman/podman.sock'];
    expect(resolve({ env, present: all }).display).toBe('unix:///run/user/1000/docker.sock');
    expect(resolve({ env, present: all.slice(1) }).display).toBe('unix:///run/user/1000/podman/podman.sock');
    expect(resolve({ env, present: all.slice(2) }).display).toBe('unix:///run/podman/podman.sock');
    // Without XDG_RUNTIME_DIR the per-user sockets are not guessed.
    expect(resolve({ present: all }).display).toBe('unix:///run/podman/podman.sock');
  });

  it('names the usual socket when none exists', () => {
    expect(resolve({}).display).toBe('unix:///var/run/docker.sock');
  });

  it('DOCKER_HOST beats the local sockets; sandbox.engine beats DOCKER_HOST', () => {
    const env = { DOCKER_HOST: 'unix:///tmp/d.sock' };
    expect(resolve({ env, present: ['/var/run/docker.sock'] })).toMatchObject({ socketPath: '/tmp/d.sock', source: 'DOCKER_HOST' });
    expect(resolve({ env, setting: 'tcp://engine.example:2375' })).toMatchObject({
      kind: 'tcp',
      host: 'engine.example',
      port: 2375,
      source: 'config',
    });
  });

  it('sandbox.engine "docker"/"podman" picks that engine’s socket, or says none exists', () => {
    const env = { XDG_RUNTIME_DIR: '/run/user/1000' };
    expect(resolve({ setting: 'podman', env, present: ['/var/run/docker.sock', '/run/podman/podman.sock'] }).display).toBe(
      'unix:///run/podman/podman.sock',
    );
    expect(resolve({ setting: 'docker', env, present: ['/run/user/1000/docker.sock'] }).display).toBe('unix:///run/user/1000/docker.sock');
    let caught: unknown;
    try {
      resolve({ setting: 'podman', env });
    } catch (err) {
      caught = err;
    }
    expect(isMcpgwError(caught, 'docker_unavailable')).toBe(true);
    expect((caught as Error).message).toContain('/run/user/1000/podman/podman.sock, /run/podman/podman.sock');
  });

  it('tcp with DOCKER_TLS_VERIFY reads ca/cert/key from DOCKER_CERT_PATH, default ~/.docker', () => {
    const verified = resolve({ env: { DOCKER_HOST: 'tcp://127.0.0.1:2376', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: '/certs' } });
    expect(verified).toMatchObject({
      kind: 'tcp',
      remote: true,
      display: 'tcp://127.0.0.1:2376',
      tls: { verify: true, ca: '/certs/ca.pem', cert: '/certs/cert.pem', key: '/certs/key.pem' },
    });
    const byDefault = resolve({ env: { DOCKER_HOST: 'tcp://127.0.0.1:9999', DOCKER_TLS_VERIFY: '1' } });
    expect(byDefault).toMatchObject({ tls: { ca: `${HOME}/.docker/ca.pem`, cert: `${HOME}/.docker/cert.pem` } });
    expect(resolve({ env: { DOCKER_HOST: 'tcp://127.0.0.1:2375' } })).not.toHaveProperty('tls');
  });

  it('keeps credentials out of the display', () => {
    expect(resolve({ setting: 'ssh://alice:secret@build-host:2222' })).toMatchObject({
      kind: 'ssh',
      username: 'alice',
      display: 'ssh://build-host:2222',
    });
  });

  it('rejects what is not an engine address', () => {
    expect(() => resolve({ setting: 'ftp://x' })).toThrow(/unsupported scheme/);
    expect(() => resolve({ setting: 'unix://relative.sock' })).toThrow(/absolute socket path/);
  });
});

describe('dockerOptions', () => {
  it('reads the TLS files, and a missing one is one clear line', () => {
    const endpoint = resolve({ env: { DOCKER_HOST: 'tcp://127.0.0.1:2376', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: '/certs' } });
    const files: Record<string, string> = { '/certs/ca.pem': 'CA', '/certs/cert.pem': 'CERT', '/certs/key.pem': 'KEY' };
    const read = (p: string): Buffer => {
      if (!(p in files)) throw Object.assign(new Error('nope'), { code: 'ENOENT' });
      return Buffer.from(files[p]!);
    };
    expect(dockerOptions(endpoint, read)).toMatchObject({ protocol: 'https', host: '127.0.0.1', port: 2376 });
    delete files['/certs/key.pem'];
    expect(() => dockerOptions(endpoint, read)).toThrow(
      "cannot read the engine's TLS client key /certs/key.pem: ENOENT; check DOCKER_CERT_PATH",
    );
  });
});

describe('connectionError', () => {
  const tcp = resolve({ env: { DOCKER_HOST: 'tcp://127.0.0.1:2376', DOCKER_TLS_VERIFY: '1' } });

  it('says a TLS failure is a handshake problem and where to look', () => {
    const err = Object.assign(new Error('write EPROTO 1234:error:0A000418:SSL routines::tlsv1 alert unknown ca'), { code: 'EPROTO' });
    expect(connectionError(err, 'ping', tcp)?.message).toMatch(
      /^TLS handshake with the engine at tcp:\/\/127\.0\.0\.1:2376 failed \(ping\): .*check DOCKER_CERT_PATH/,
    );
  });

  it('maps refused, reset and permission errors to docker_unavailable, and leaves API errors alone', () => {
    expect(connectionError(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }), 'ping', tcp)?.code).toBe('docker_unavailable');
    expect(connectionError(Object.assign(new Error('x'), { code: 'ECONNRESET' }), 'start a container', tcp)?.message).toContain(
      'failed while trying to start a container: ECONNRESET',
    );
    expect(connectionError(Object.assign(new Error('x'), { code: 'EACCES' }), 'ping', undefined)?.message).toContain('"docker" group');
    expect(connectionError(Object.assign(new Error('conflict'), { statusCode: 409 }), 'ping', tcp)).toBeUndefined();
  });
});
