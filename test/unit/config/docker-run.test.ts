import { describe, expect, it } from 'vitest';
import { formatConfigIssues, parseCatalog } from '../../../src/config/catalog.js';
import { convertDockerRun } from '../../../src/config/docker-run.js';

const run = (args: string[], env: Record<string, string> = {}, command = 'docker') => {
  const result = convertDockerRun(command, ['run', ...args], env);
  if (!result?.ok) throw new Error(`refused: ${JSON.stringify(result)}`);
  return result;
};
const refusal = (args: string[]): string => {
  const result = convertDockerRun('docker', ['run', ...args], {});
  if (result?.ok !== false) throw new Error(`not refused: ${JSON.stringify(result)}`);
  return result.reason;
};

describe('docker run', () => {
  it('turns the common pasted form into an image entry, dropping what mcpgw does anyway', () => {
    expect(run(['-i', '--rm', '--init', '--name', 'x', 'mcp/fetch:1', '--ignore-robots'])).toEqual({
      ok: true,
      image: 'mcp/fetch:1',
      command: undefined,
      args: ['--ignore-robots'],
      env: {},
      envFiles: [],
      mounts: [],
      workdir: undefined,
      network: undefined,
      limits: {},
      notices: [
        'translated "docker run ... mcp/fetch:1" into an image entry with mcpgw\'s full hardening (dropped: -i, --rm, --init, --name x)',
      ],
    });
  });

  it('works for podman and `container run`', () => {
    expect(run(['-i', 'img'], {}, '/usr/bin/podman').image).toBe('img');
    const result = convertDockerRun('docker', ['container', 'run', '-i', 'img'], {});
    expect(result).toMatchObject({ ok: true, image: 'img' });
  });

  it('translates -e K=V, and -e K from the entry’s env, else as a ${K} secret', () => {
    const result = run(['-i', '-e', 'A=1', '--env', 'B', '-e', 'C', '--env=D=x=y', 'img'], { B: 'from-entry', UNUSED: 'z' });
    expect(result.env).toEqual({ A: '1', B: 'from-entry', C: '${C}', D: 'x=y' });
    expect(result.notices).toContain('env UNUSED is not passed to the container: docker passes only variables named with -e');
  });

  it('translates --env-file, -w, --entrypoint and resource flags', () => {
    const result = run([
      '--env-file',
      './vars.env',
      '-w',
      '/work',
      '--entrypoint',
      '/bin/srv',
      '-m',
      '1g',
      '--cpus=2',
      '--pids-limit',
      '256',
      'img',
      'a',
    ]);
    expect(result).toMatchObject({
      envFiles: ['./vars.env'],
      workdir: '/work',
      command: '/bin/srv',
      args: ['a'],
      limits: { memory: '1g', cpus: 2, pids: 256 },
    });
  });

  it('an empty --entrypoint makes the first argument the program', () => {
    expect(run(['--entrypoint=', 'img', 'python3', '-m', 'srv'])).toMatchObject({ command: 'python3', args: ['-m', 'srv'] });
  });

  it('translates -v and --mount, read-only unless rw is explicit (mcpgw’s default, said in a notice)', () => {
    const result = run([
      '-v',
      '/data:/data',
      '-v',
      '/out:/out:rw',
      '--volume=/ro:/ro:ro',
      '--mount',
      'type=bind,src=/a,dst=/a',
      '--mount',
      'type=bind,source=/b,target=/b,readonly',
      '--mount=type=bind,src=/c,dst=/c,readonly=false',
      'img',
    ]);
    expect(result.mounts).toEqual([
      { source: '/data', target: '/data', readOnly: true },
      { source: '/out', target: '/out', readOnly: false },
      { source: '/ro', target: '/ro', readOnly: true },
      { source: '/a', target: '/a', readOnly: true },
      { source: '/b', target: '/b', readOnly: true },
      { source: '/c', target: '/c', readOnly: false },
    ]);
    expect(result.notices).toEqual(
      expect.arrayContaining([
        'mounted "-v /data:/data" read-only (docker\'s default is writable; add ":rw" or "readonly=false" to make it writable)',
        'mounted "--mount type=bind,src=/a,dst=/a" read-only (docker\'s default is writable; add ":rw" or "readonly=false" to make it writable)',
      ]),
    );
  });

  it('takes --network none, and a named or bridge network as an explicit loosening', () => {
    expect(run(['--network', 'none', 'img']).network).toBe('none');
    expect(run(['--net=bridge', 'img']).network).toBe('bridge');
    expect(run(['--network', 'mcp-net', 'img']).network).toBe('mcp-net');
  });

  it('drops a non-root user (the sandbox always runs as 65534) and harmless no-new-privileges', () => {
    const result = run(['-u', '1000:1000', '--security-opt', 'no-new-privileges', '--cap-drop=ALL', 'img']);
    expect(result.notices[0]).toContain('-u 1000:1000 (the sandbox always runs as 65534:65534)');
  });

  it('reads combined short flags and attached values', () => {
    expect(run(['-i', '-eA=1', '-w/x', 'img'])).toMatchObject({ env: { A: '1' }, workdir: '/x' });
    expect(run(['-ie', 'A=1', 'img']).env).toEqual({ A: '1' });
  });

  it.each([
    [['--privileged', 'img'], '"--privileged" is refused: it gives the container every capability'],
    [['--cap-add', 'SYS_ADMIN', 'img'], '"--cap-add SYS_ADMIN" is refused: it adds Linux capabilities'],
    [['--cap-add=NET_ADMIN', 'img'], '"--cap-add NET_ADMIN" is refused'],
    [['--network', 'host', 'img'], '"--network host" is refused: it shares the host\'s network stack'],
    [['--net=host', 'img'], '"--net host" is refused'],
    [['--network=container:db', 'img'], "shares another container's network stack"],
    [['--pid', 'host', 'img'], '"--pid host" is refused: it shares the process namespace with the host'],
    [['--ipc=host', 'img'], '"--ipc host" is refused: it shares the IPC namespace with the host'],
    [['--uts', 'host', 'img'], '"--uts host" is refused'],
    [['--userns=host', 'img'], '"--userns host" is refused: it shares the user namespace'],
    [['--device', '/dev/kvm', 'img'], '"--device /dev/kvm" is refused: it exposes a host device'],
    [['-u', '0', 'img'], '"-u 0" is refused: it runs the server as root'],
    [['--user', 'root', 'img'], '"--user root" is refused: it runs the server as root'],
    [['--user=1000:0', 'img'], 'runs the server as root'],
    [['--security-opt', 'seccomp=unconfined', 'img'], '"--security-opt seccomp=unconfined" is refused'],
    [['-p', '8080:80', 'img'], 'publishes ports'],
    [['-t', 'img'], '"-t" is refused: a TTY mangles the stdio JSON-RPC stream'],
    [['-it', 'img'], '"-t" is refused: a TTY mangles'],
    [['-d', 'img'], '"-d" is refused: mcpgw talks to the server over attached stdio'],
    [['-v', 'data:/data', 'img'], 'named volumes are not supported'],
    [['-v', '/data', 'img'], 'is an anonymous volume'],
    [['-v', '/d:/d:Z', 'img'], 'relabels the host files for SELinux'],
    [['--mount', 'type=volume,src=v,dst=/v', 'img'], 'only type=bind mounts'],
    [['--mount', 'src=/a,dst=/a', 'img'], 'only type=bind mounts'],
    [['-w', 'rel', 'img'], 'must be an absolute path'],
    [['--platform', 'linux/arm64', 'img'], 'unknown docker run flag "--platform"'],
    [['-x', 'img'], 'unknown docker run flag "-x"'],
    [['-iX', 'img'], 'unknown docker run flag "-X" (in "-iX")'],
    [['-i', '--rm'], 'names no image'],
  ])('refuses %j, naming the flag', (args, reason) => {
    expect(refusal(args)).toContain(reason);
  });

  it('names every loosening flag at once, and an unknown flag after them', () => {
    expect(refusal(['--privileged', '--cap-add', 'ALL', '--frobnicate', 'img'])).toBe(
      '"--privileged" is refused: it gives the container every capability and the host devices; ' +
        '"--cap-add ALL" is refused: it adds Linux capabilities; the sandbox drops them all; ' +
        'unknown docker run flag "--frobnicate": mcpgw refuses flags it does not translate',
    );
  });

  it('refuses docker commands other than run, and leaves other commands alone', () => {
    expect(convertDockerRun('docker', ['compose', 'up'], {})).toEqual({
      ok: false,
      reason: 'only "docker run" entries can be translated (found "docker compose up")',
    });
    expect(convertDockerRun('node', ['x'], {})).toBeUndefined();
  });
});

describe('docker run in a config', () => {
  it('becomes a hardened image entry with env, mounts and limits', () => {
    const result = parseCatalog({
      mcpServers: {
        gh: {
          command: 'docker',
          args: [
            'run',
            '-i',
            '--rm',
            '-e',
            'GITHUB_PERSONAL_ACCESS_TOKEN',
            '-v',
            '/srv/data:/data',
            '-m',
            '1g',
            'ghcr.io/github/github-mcp-server',
          ],
          env: { GITHUB_PERSONAL_ACCESS_TOKEN: '${GH_TOKEN}' },
        },
      },
    });
    if (!result.ok) throw new Error(formatConfigIssues(result.issues));
    expect(result.catalog.servers.get('gh')).toMatchObject({
      image: 'ghcr.io/github/github-mcp-server',
      command: undefined,
      args: [],
      env: { GITHUB_PERSONAL_ACCESS_TOKEN: '${GH_TOKEN}' },
      network: 'none',
      mounts: [{ source: '/srv/data', target: '/data', readOnly: true }],
      limits: { memoryBytes: 1024 ** 3, nanoCpus: 500_000_000, pids: 128 },
    });
    expect(result.notices[0]).toMatch(/^mcpServers\.gh: translated "docker run \.\.\. ghcr\.io\/github\/github-mcp-server"/);
  });

  it('refuses out-of-range limits and a network that contradicts the entry', () => {
    const result = parseCatalog({
      mcpServers: {
        big: { command: 'docker', args: ['run', '-i', '--cpus', '100', 'img'] },
        net: { command: 'docker', args: ['run', '-i', '--network', 'bridge', 'img'], network: 'none' },
      },
    });
    if (!result.ok) throw new Error(formatConfigIssues(result.issues));
    expect(result.catalog.unavailable.get('big')?.reason).toMatch(/^docker resource flags: /);
    expect(result.catalog.unavailable.get('net')?.reason).toBe('"network" says none but the docker flags say bridge');
  });
});
