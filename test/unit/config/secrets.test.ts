import { chmodSync, mkdirSync, mkdtempSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLaunchResolver } from '../../../daemon/config/launch.js';
import { parseEnvLines, readSecretsFile, SecretResolver } from '../../../daemon/config/secrets.js';
import type { ServerConfig } from '../../../src/config/catalog.js';
import { expandTemplate, scanTemplate, templateRefs } from '../../../src/config/templates.js';
import { isMcpgwError } from '../../../src/errors.js';

const dir = mkdtempSync(path.join(tmpdir(), 'mcpgw-secrets-'));
let n = 0;
function file(text: string, mode = 0o600): string {
  const f = path.join(dir, `secrets-${++n}.env`);
  writeFileSync(f, text);
  chmodSync(f, mode);
  return f;
}

const server = (overrides: Partial<ServerConfig> = {}): ServerConfig => ({
  name: 'gh',
  command: 'srv',
  args: [],
  env: {},
  envFiles: [],
  image: undefined,
  build: undefined,
  runtime: 'node',
  network: 'none',
  mounts: [],
  limits: { memoryBytes: 1, nanoCpus: 1, pids: 8, outputBytesPerSecond: 65_536, outputLinesPerSecond: 200 },
  timeoutMs: 1000,
  maxTotalTimeoutMs: 10_000,
  workdir: undefined,
  disabled: false,
  ...overrides,
});

describe('templates', () => {
  it('finds ${VAR}, ${env:VAR} and ${VAR:-default}, and what it cannot resolve', () => {
    expect(scanTemplate('a ${A} b ${env:B} c ${C:-x:y} ${input:tok} ${not a name}')).toEqual({
      refs: [{ name: 'A' }, { name: 'B' }, { name: 'C', fallback: 'x:y' }],
      problems: [
        { text: '${input:tok}', reason: expect.stringContaining('prompted inputs are not supported') },
        { text: '${not a name}', reason: 'not a variable name (letters, digits and "_")' },
      ],
    });
    expect(templateRefs(['${A}', 'x${A}${B}']).refs).toEqual([{ name: 'A' }, { name: 'B' }]);
  });

  it('expands, uses fallbacks, and collects what is missing by name', () => {
    const missing = new Set<string>();
    const lookup = (name: string) => ({ A: 'alpha', E: '' })[name];
    expect(expandTemplate('${A}-${env:A}-${B:-dflt}-${E}-${M}', lookup, missing)).toBe('alpha-alpha-dflt--');
    expect([...missing]).toEqual(['M']);
  });
});

describe('secrets.env', () => {
  it('parses KEY=VALUE lines with comments, export and quotes', () => {
    expect(parseEnvLines('# c\n\nexport A=1\nB = two words \nC="x\\ny"\nD=\'$lit\'\nE=a=b\n')).toEqual({
      values: new Map([
        ['A', '1'],
        ['B', 'two words'],
        ['C', 'x\ny'],
        ['D', '$lit'],
        ['E', 'a=b'],
      ]),
    });
    expect(parseEnvLines('A=1\nnot a line\n')).toEqual({ badLine: 2 });
  });

  it('reads a 0600 file of this user', async () => {
    expect(await readSecretsFile(file('A=1'))).toEqual({ kind: 'ok', values: new Map([['A', '1']]) });
    expect(await readSecretsFile(file('A=1', 0o400))).toMatchObject({ kind: 'ok' });
    expect(await readSecretsFile(path.join(dir, 'none.env'))).toEqual({ kind: 'absent' });
  });

  it.each([
    [0o644, 'has mode 0644, others may read or change it; run: chmod 600'],
    [0o640, 'has mode 0640'],
    [0o620, 'has mode 0620'],
  ])('refuses mode %s', async (mode, reason) => {
    const f = file('A=1', mode);
    expect(await readSecretsFile(f)).toEqual({ kind: 'refused', reason: expect.stringContaining(`${f} ${reason}`) });
  });

  it('refuses a file owned by someone else, and never shows a bad line’s content', async () => {
    const f = file('A=1');
    expect(await readSecretsFile(f, (process.getuid?.() ?? 0) + 4242)).toEqual({
      kind: 'refused',
      reason: expect.stringMatching(/is owned by uid \d+, not by you \(uid \d+\); it must be yours$/),
    });
    expect(await readSecretsFile(file('A=1\nsk-very-secret\n'))).toEqual({
      kind: 'refused',
      reason: expect.not.stringContaining('sk-very'),
    });
  });
});

describe('SecretResolver', () => {
  it('expands env values and args from the environment first, then secrets.env', async () => {
    const resolver = new SecretResolver({ env: { A: 'from-env' }, file: file('A=from-file\nB=from-file') });
    const resolved = await resolver.resolve(server({ env: { X: '${A}', Y: 'pre-${env:B}' }, args: ['--b', '${B}', 'plain'] }));
    expect(resolved).toEqual({ env: { X: 'from-env', Y: 'pre-from-file' }, args: ['--b', 'from-file', 'plain'] });
  });

  it('names every missing variable and where it looked, never a value', async () => {
    const f = file('OTHER=shh-secret');
    const resolver = new SecretResolver({ env: { A: 'a-secret' }, file: f });
    const s = server({ env: { X: '${A}', Y: '${MISSING_ONE}' }, args: ['${MISSING_TWO}'] });
    const err = await resolver.resolve(s).catch((e: unknown) => e);
    expect(isMcpgwError(err, 'server_unavailable')).toBe(true);
    expect((err as Error).message).toBe(
      `server "gh" cannot start: secrets MISSING_ONE, MISSING_TWO are not set in mcpd's environment or ${f}`,
    );
    expect(await resolver.check(s)).toBe((err as Error).message);
    expect(await resolver.check(server({ env: { X: '${A}' } }))).toBeUndefined();
  });

  it('says why secrets.env was not read when a secret is missing', async () => {
    const f = file('A=1', 0o644);
    const reason = await new SecretResolver({ env: {}, file: f }).check(server({ env: { X: '${A}' } }));
    expect(reason).toBe(
      `server "gh" cannot start: secret A is not set in mcpd's environment or ${f}; ${f} has mode 0644, others may read or change it; run: chmod 600 ${f}`,
    );
    // Not needed, not read: a server whose secrets are all in the environment starts.
    expect(await new SecretResolver({ env: { A: '1' }, file: f }).check(server({ env: { X: '${A}' } }))).toBeUndefined();
  });

  it('reads env files (docker --env-file) under the entry’s own env, with the same mode check', async () => {
    const resolver = new SecretResolver({ env: {}, file: undefined });
    const vars = file('A=file\nB=file');
    expect((await resolver.resolve(server({ envFiles: [vars], env: { B: 'entry' } }))).env).toEqual({ A: 'file', B: 'entry' });
    const open = file('A=1', 0o644);
    expect(await resolver.check(server({ envFiles: [open] }))).toMatch(/its env file was refused: .* has mode 0644/);
    expect(await resolver.check(server({ envFiles: [path.join(dir, 'gone.env')] }))).toMatch(/its env file .*gone\.env does not exist/);
  });
});

describe('createLaunchResolver', () => {
  it('re-checks mounts at start: a directory swapped for a symlink into ~/.ssh is refused', async () => {
    const home = path.join(dir, 'home');
    mkdirSync(path.join(home, '.ssh'), { recursive: true });
    mkdirSync(path.join(home, 'work'));
    const launch = createLaunchResolver({ env: { MCPGW_STATE_DIR: path.join(dir, 'state') }, secretsFile: undefined, home });
    const s = server({ mounts: [{ source: path.join(home, 'work'), target: '/work', readOnly: true }], env: { T: '${T:-none}' } });
    expect(await launch.resolve(s)).toEqual({ env: { T: 'none' }, args: [], mounts: s.mounts });
    renameSync(path.join(home, 'work'), path.join(home, 'work-old'));
    symlinkSync(path.join(home, '.ssh'), path.join(home, 'work'));
    expect(await launch.check(s)).toMatch(/cannot start: refused mount: .*work \(→ .*\.ssh\) is inside ~\/\.ssh/);
    await expect(launch.resolve(s)).rejects.toThrow(/is inside ~\/\.ssh/);
  });
});
