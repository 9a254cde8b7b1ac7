import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { TEST_CONFIG_FILE } from '../helpers/catalog.js';
import { mcpgw } from '../helpers/cli.js';
import { writeTestConfig } from '../helpers/mcpd-process.js';

const config = ['--config', TEST_CONFIG_FILE];

function configFile(contents: unknown): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'mcpgw-cli-')), 'config.json');
  writeFileSync(file, typeof contents === 'string' ? contents : JSON.stringify(contents));
  return file;
}

describe('mcpgw servers', () => {
  it('ls shows each server and how it is sandboxed', async () => {
    const r = await mcpgw([...config, 'servers', 'ls']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^NAME\s+STATUS\s+IMAGE\s+COMMAND\s+NETWORK\s+RUNTIME\s+LIMITS\s+MOUNTS/m);
    expect(r.stdout).toMatch(
      /^filesystem\s+available\s+build: @modelcontextprotocol\/server-filesystem@\S+\s+mcp-server-filesystem \/data\s+none\s+runc\s+512 MiB, 0\.5 cpu, 128 pids\s+\S+fs-data:\/data$/m,
    );
    expect(r.stderr).toContain('notice: mcpServers.everything: converted "npx -y @modelcontextprotocol/server-everything');
  });

  it('test starts the server, lists tools with their schema verdict, calls one, tears down (JSON)', async () => {
    const r = await mcpgw([...config, 'servers', 'test', 'testsrv', '--call', 'echo', '--args', '{"message":"from the cli"}', '--json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as {
      ok: boolean;
      tools: Array<{ name: string; schema: { ok: boolean } }>;
      call: { result: unknown };
    };
    expect(report.ok).toBe(true);
    expect(report.tools.find((t) => t.name === 'echo')?.schema.ok).toBe(true);
    expect(report.call.result).toEqual({ content: [{ type: 'text', text: 'echo: from the cli' }] });
  });

  it('test prints a readable tool table and the call result', async () => {
    const r = await mcpgw([...config, 'servers', 'test', 'everything', '--call', 'get-sum', '--args', '{"a":2,"b":3}']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^everything: started from mcpgw\/everything:\w+ in [\d.]+ m?s, \d+ tools$/m);
    expect(r.stdout).toMatch(/^TOOL\s+CLAIMS\s+GEMINI SCHEMA\s+DESCRIPTION/m);
    expect(r.stdout).toMatch(/^echo\s+\S+\s+ok(, \d+ repairs?)?\s+Echoes back the input/m);
    // One line for a repair many tools share, not one per tool.
    expect(r.stdout).toMatch(/^ {2}#: removed keywords Gemini does not accept here: "\$schema" \(\d+ tools: echo, [^)]+\)$/m);
    expect(r.stdout.match(/removed keywords Gemini does not accept here: "\$schema"/g)).toHaveLength(1);
    expect(r.stdout).toContain('The sum of 2 and 3 is 5.');
    expect(r.stderr).toMatch(/torn down in/);
  });

  it.each([
    ['a crash', ['--call', 'crash', '--args', '{"code":4}'], 5, /exited with code 4; last stderr:\n\s+about to crash on purpose/],
    ['an OOM kill', ['--call', 'alloc', '--args', '{"mb":1024}'], 5, /was OOM-killed \(memory limit 512\.0 MiB\)/],
    [
      'an oversized message',
      ['--call', 'huge', '--args', '{"mb":20}'],
      5,
      /server message of 20\.0 MiB exceeds the 16\.0 MiB cap and was dropped/,
    ],
    ['an unknown tool', ['--call', 'nope'], 5, /unknown tool nope/],
    ['bad --args', ['--call', 'echo', '--args', '{nope'], 2, /--args is not valid JSON/],
  ])('test fails with one clear line and a non-zero code on %s', async (_name, args, code, message) => {
    const r = await mcpgw([...config, 'servers', 'test', 'testsrv', ...args]);
    expect(r.code).toBe(code);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('test reports a timeout', async () => {
    const file = writeTestConfig({
      mcpServers: {
        slow: { build: { npm: [path.join(path.dirname(TEST_CONFIG_FILE), 'test-server')] }, command: 'mcpgw-test-server', timeout: '1s' },
      },
    });
    const r = await mcpgw(['--config', file, 'servers', 'test', 'slow', '--call', 'sleep', '--args', '{"ms":10000}']);
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/"slow" tools\/call sleep timed out after 1\.0s/);
  });

  it('test says when an image is missing and how to build it', async () => {
    const file = configFile({ mcpServers: { numbers: { build: { npm: ['is-number@7.0.0'] }, command: 'node' } } });
    const r = await mcpgw(['--config', file, 'servers', 'test', 'numbers']);
    expect(r.code).toBe(4);
    expect(r.stderr).toBe('mcpgw: the image for "numbers" is not built yet; run: mcpgw images build numbers\n');
  });

  it.each([
    ['a malformed file', '{ "mcpServers": { ', /is not valid JSON/],
    ['a bad daemon section', { daemon: { idleTimeout: 'never' } }, /daemon\.idleTimeout: .* \(found: "never"\)/],
  ])('a bad config (%s) prints where, what was expected and what was found, and exits 2', async (_name, contents, message) => {
    const r = await mcpgw(['--config', configFile(contents), 'servers', 'ls']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it.each([
    [
      'a wrong type',
      { command: 'node', limits: { pids: 'many' } },
      'mcpServers.s.limits.pids: Invalid input: expected number, received string (found: "many")',
    ],
    ['an unknown key', { command: 'node', netwrok: 'bridge' }, 'mcpServers.s: unknown key(s) "netwrok"'],
  ])('a bad entry (%s) disables only that server, saying where, what was expected and what was found', async (_name, entry, reason) => {
    const file = configFile({ mcpServers: { s: entry, ok: { command: 'node' } } });
    const r = await mcpgw(['--config', file, 'servers', 'ls']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ok\s+available\s+node base/m);
    expect(r.stdout).toContain(`  s: ${reason}`);
    const test = await mcpgw(['--config', file, 'servers', 'test', 's']);
    expect(test.code).toBe(2);
    expect(test.stderr).toBe(`mcpgw: server "s" is unavailable: ${reason}\n`);
  });

  it('a missing --config file is an error, not an empty catalog', async () => {
    const r = await mcpgw(['--config', '/nonexistent/mcpgw.json', 'servers', 'ls']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot read config file \/nonexistent\/mcpgw.json/);
  });
});

describe('mcpgw images', () => {
  it('build reuses a cached image and ls shows it as current', async () => {
    const built = await mcpgw([...config, 'images', 'build', 'testsrv', '--json']);
    expect(built.code).toBe(0);
    expect(JSON.parse(built.stdout)).toEqual({ images: [expect.objectContaining({ server: 'testsrv', status: 'cached' })] });
    const listed = await mcpgw([...config, 'images', 'ls']);
    expect(listed.stdout).toMatch(/^mcpgw\/testsrv:\w{12}\s+server\s+testsrv\s+.*current$/m);
    expect(listed.stdout).toMatch(/^mcpgw\/base:node\S+\s+base\s+-\s+.*current$/m);
  });
});

describe('mcpgw policy', () => {
  it('check validates a policy file and explain shows the deciding rule', async () => {
    const policy = path.join(path.dirname(TEST_CONFIG_FILE), 'policies', 'filesystem.yaml');
    const ok = await mcpgw(['policy', 'check', policy]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('ok — 2 rule(s), default ask');
    const bad = await mcpgw(['policy', 'check', configFile('default: maybe\nrules: []\n')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/default/);
    const explained = await mcpgw([
      'policy',
      'explain',
      '--policy',
      policy,
      '--server',
      'filesystem',
      '--tool',
      'write_file',
      '--args',
      '{"path":"/data/x"}',
    ]);
    expect(explained.code).toBe(0);
    expect(explained.stdout).toMatch(/^decision: DENY — rule 1 "no writes" denies/m);
    expect(explained.stdout).toContain('message: Writing is not allowed in this session.');
  });

  it('check and explain understand sampling rules and their budget', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'mcpgw-cli-')), 'sampling.yaml');
    writeFileSync(file, 'sampling:\n  - server: everything\n    decision: allow\n    maxTokensPerSession: 2000\n');
    const checked = await mcpgw(['policy', 'check', file]);
    expect(checked.code).toBe(0);
    expect(checked.stdout).toContain('sampling: (server everything) allow up to 2000 tokens per session; otherwise a person is asked');
    const explain = (used: string) =>
      mcpgw(['policy', 'explain', '--policy', file, '--server', 'everything', '--sampling', '--used-tokens', used, '--max-tokens', '100']);
    expect((await explain('1900')).stdout).toMatch(/^decision: ALLOW — sampling rule 1 \(server everything\) allows within budget/m);
    expect((await explain('1901')).stdout).toMatch(/^decision: ASK — .*over budget \(1901 used \+ up to 100 asked/m);
    const none = await mcpgw(['policy', 'explain', '--server', 'everything', '--sampling']);
    expect(none.stdout).toMatch(/^decision: ASK — no sampling rule matches this server/m);
  });

  it('check counts egress rules and explain --host shows the one that decides a network request', async () => {
    const policy = path.join(mkdtempSync(path.join(tmpdir(), 'mcpgw-policy-')), 'egress.yaml');
    writeFileSync(
      policy,
      'rules: []\negress:\n  - { server: ctx7, host: "*.context7.com", port: 443, decision: allow }\n  - { host: "*", decision: deny }\n',
    );
    expect((await mcpgw(['policy', 'check', policy])).stdout).toContain('; 2 egress rule(s), unmatched network requests ask');
    const allowed = await mcpgw(['policy', 'explain', '--policy', policy, '--server', 'ctx7', '--host', 'mcp.context7.com:443']);
    expect(allowed.code).toBe(0);
    expect(allowed.stdout).toMatch(/^decision: ALLOW — egress rule 1 \(server ctx7 host \*\.context7\.com port 443\) allows/m);
    const denied = await mcpgw(['policy', 'explain', '--policy', policy, '--server', 'ctx7', '--host', 'mcp.context7.com:80']);
    expect(denied.stdout).toMatch(/^decision: DENY — egress rule 2 \(host \*\) denies/m);
    expect(denied.stdout).toContain('1. (server ctx7 host *.context7.com port 443) allow: no, port 80 is not 443');
    // A lookup names no port: each port its grant would give is decided on its own.
    const lookup = await mcpgw(['policy', 'explain', '--policy', policy, '--server', 'ctx7', '--host', 'mcp.context7.com']);
    expect(lookup.stdout.split('\n').filter((l) => l.startsWith('decision:'))).toEqual([
      'decision: ALLOW — egress rule 1 (server ctx7 host *.context7.com port 443) allows',
      'decision: DENY — egress rule 2 (host *) denies',
    ]);
    const neither = await mcpgw(['policy', 'explain', '--policy', policy, '--server', 'ctx7']);
    expect(neither.code).toBe(2);
    expect(neither.stderr).toContain('give --tool (a tool call), --host (a network request) or --sampling (a sampling request) to explain');
  });
});
