import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeGemini, type FakeGemini } from '../fixtures/fake-gemini/index.js';
import { TEST_CONFIG_FILE } from '../helpers/catalog.js';
import { mcpgw, type CliResult } from '../helpers/cli.js';
import { McpdProcess } from '../helpers/mcpd-process.js';

// Two canaries: one in mcpd's environment, one in the secrets.env beside the config. Unique per run, so any
// occurrence anywhere is a leak from this test.
const CANARY = `canary-env-${randomBytes(12).toString('hex')}`;
const FILE_CANARY = `canary-file-${randomBytes(12).toString('hex')}`;
const sha = (v: string): string => createHash('sha256').update(v).digest('hex');
const TEST_SERVER = path.join(path.dirname(TEST_CONFIG_FILE), 'test-server');
const testServer = (extra: Record<string, unknown>) => ({ build: { npm: [TEST_SERVER] }, command: 'mcpgw-test-server', ...extra });

let fake: FakeGemini;
let mcpd: McpdProcess;
let env: Record<string, string>;
const outputs: Array<{ what: string; text: string }> = [];

/** Runs the CLI and keeps everything it printed, to search for the canaries at the end. */
async function cli(what: string, args: string[]): Promise<CliResult> {
  const r = await mcpgw(args, env);
  outputs.push({ what: `${what} stdout`, text: r.stdout }, { what: `${what} stderr`, text: r.stderr });
  return r;
}

beforeAll(async () => {
  fake = await startFakeGemini();
  mcpd = McpdProcess.create({
    config: {
      mcpServers: {
        canary: testServer({
          env: { CANARY_ENV: '${MCPGW_CANARY}', FILE_ENV: 'x-${env:MCPGW_FILE_CANARY}' },
          args: ['--token=${MCPGW_CANARY}', '${MCPGW_FILE_CANARY}'],
        }),
        // Fails at start (no such program) with the canary in its args: the error path.
        'canary-bad': testServer({ command: 'no-such-program', args: ['${MCPGW_CANARY}'] }),
        'needs-missing': testServer({ env: { TOKEN: '${MCPGW_NOT_SET_ANYWHERE}' } }),
      },
    },
    env: { GEMINI_API_KEY: 'test-key', GOOGLE_GEMINI_BASE_URL: fake.baseUrl, MCPGW_CANARY: CANARY },
  });
  const secrets = path.join(path.dirname(mcpd.configFile), 'secrets.env');
  writeFileSync(secrets, `# test secrets\nMCPGW_FILE_CANARY=${FILE_CANARY}\n`);
  chmodSync(secrets, 0o600);
  await mcpd.start();
  env = { MCPGW_STATE_DIR: mcpd.stateDir, MCPGW_CONFIG: mcpd.configFile, MCPGW_CANARY: CANARY };
});

afterAll(async () => {
  await mcpd?.kill('SIGTERM');
  await fake?.close();
});

/** Every value in mcpd's Redis, whatever its type (strings, hashes, lists, sets, sorted sets, streams). */
async function dumpRedis(): Promise<string> {
  const redis = new Redis({ path: path.join(mcpd.stateDir, 'redis', 'redis.sock') });
  try {
    const parts: string[] = [];
    for (const key of await redis.keys('*')) {
      const type = await redis.type(key);
      const value =
        type === 'string'
          ? await redis.get(key)
          : type === 'hash'
            ? await redis.hgetall(key)
            : type === 'list'
              ? await redis.lrange(key, 0, -1)
              : type === 'set'
                ? await redis.smembers(key)
                : type === 'zset'
                  ? await redis.zrange(key, 0, -1, 'WITHSCORES')
                  : type === 'stream'
                    ? await redis.xrange(key, '-', '+')
                    : `(unread type ${type})`;
      parts.push(`${key} ${type} ${JSON.stringify(value)}`);
    }
    return parts.join('\n');
  } finally {
    redis.disconnect();
  }
}

/** Every file under mcpd's state directory: the log, the Redis append-only file, the token, daemon.json. */
function stateFiles(dir: string): Array<{ what: string; text: string }> {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    const st = statSync(file);
    if (st.isDirectory()) return stateFiles(file);
    return st.isFile() ? [{ what: file, text: readFileSync(file, 'latin1') }] : [];
  });
}

describe('secrets (canary)', () => {
  let sessionId = '';

  it('servers ls shows which servers have their secrets, by name only', async () => {
    const r = await cli('servers ls --json', ['servers', 'ls', '--json']);
    expect(r.code).toBe(0);
    const servers = (JSON.parse(r.stdout) as { servers: Array<{ name: string; available: boolean; reason?: string }> }).servers;
    expect(servers.find((s) => s.name === 'canary')).toMatchObject({ available: true });
    expect(servers.find((s) => s.name === 'needs-missing')).toMatchObject({
      available: false,
      reason: expect.stringContaining('secret MCPGW_NOT_SET_ANYWHERE is not set'),
    });
  });

  it('a session gets the resolved values inside the container, and only there', async () => {
    const created = await cli('sessions new', [
      'sessions',
      'new',
      '--servers',
      'canary,canary-bad',
      '--auto-approve-policy',
      'all',
      '--json',
    ]);
    expect(created.code).toBe(0);
    sessionId = (JSON.parse(created.stdout) as { id: string }).id;

    fake.enqueue({ functionCalls: [{ name: 'canary__digest', args: { env: 'CANARY_ENV' }, id: 'd1' }] }, { text: 'digested' });
    const run = await cli('run --json', ['run', 'digest the canary', '--session', sessionId, '--json']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(sha(CANARY)); // the model's tool call ran with the secret in the container's env

    const call = await cli('tools call digest', [
      'tools',
      'call',
      'canary',
      'digest',
      '--session',
      sessionId,
      '--args',
      '{"env":"FILE_ENV"}',
      '--json',
    ]);
    expect(call.code).toBe(0);
    const digest = JSON.parse((JSON.parse(call.stdout) as { text: string }).text) as { env: string; argv: string[] };
    expect(digest).toEqual({ env: sha(`x-${FILE_CANARY}`), argv: [sha(`--token=${CANARY}`), sha(FILE_CANARY)] });
  });

  it('error paths name variables and programs, never values', async () => {
    const crash = await cli('tools call crash', ['tools', 'call', 'canary', 'crash', '--session', sessionId, '--args', '{"code":3}']);
    expect(crash.code).toBe(5);
    const bad = await cli('tools call canary-bad', [
      'tools',
      'call',
      'canary-bad',
      'echo',
      '--session',
      sessionId,
      '--args',
      '{"message":"x"}',
    ]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/no-such-program/);
    const missing = await cli('sessions new missing', ['sessions', 'new', '--servers', 'needs-missing']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/server "needs-missing" is unavailable: .*secret MCPGW_NOT_SET_ANYWHERE is not set/);
  });

  it('never reaches Redis, the state dir (log, AOF), the audit, --json output, or mcpd’s own output', async () => {
    const show = await cli('sessions show --json', ['sessions', 'show', sessionId, '--json']);
    expect(show.code).toBe(0);
    expect(show.stdout).toContain('digested');
    const audit = await cli('audit --json', ['audit', '--session', sessionId, '--json']);
    expect(audit.code).toBe(0);
    expect(audit.stdout).toContain('digest');
    const places = [
      ...outputs,
      { what: 'redis', text: await dumpRedis() },
      ...stateFiles(mcpd.stateDir),
      { what: 'mcpd output', text: mcpd.output },
    ];
    expect(places.find((p) => p.what === 'redis')?.text).toContain(sha(CANARY)); // the dump did read the session
    const leaks = places.filter((p) => p.text.includes(CANARY) || p.text.includes(FILE_CANARY)).map((p) => p.what);
    expect(leaks).toEqual([]);
  });
});
