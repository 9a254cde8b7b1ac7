import { mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { TEST_CONFIG_FILE } from '../helpers/catalog.js';
import { mcpgw } from '../helpers/cli.js';

const CANARY = `ghp_canary_${Date.now().toString(36)}`;

/** A home directory holding a Claude Desktop config (with a comment, as editors leave them) and mcpgw's own. */
function homeWithClaude(): { home: string; env: Record<string, string>; target: string } {
  const home = mkdtempSync(path.join(tmpdir(), 'mcpgw-import-'));
  const claude = path.join(home, '.config/Claude');
  mkdirSync(claude, { recursive: true });
  const data = path.join(home, 'notes');
  mkdirSync(data);
  writeFileSync(
    path.join(claude, 'claude_desktop_config.json'),
    `{
      // pasted from the docs
      "mcpServers": {
        "github": { "command": "npx", "args": ["-y", "@modelcontextprotocol/server-github"], "env": { "GITHUB_PERSONAL_ACCESS_TOKEN": "${CANARY}" } },
        "fetch": { "command": "uvx", "args": ["mcp-server-fetch"] },
        "linear": { "type": "sse", "url": "https://mcp.linear.example/sse" },
        "notes.fs": { "command": "npx", "args": ["-y", "@modelcontextprotocol/server-filesystem", "${data}"], "cwd": "/" },
        "bad": { "command": "docker", "args": ["run", "-i", "--rm", "--privileged", "busybox"] },
      },
    }`,
  );
  const target = path.join(home, '.config/mcpgw/config.json');
  // XDG_CONFIG_HOME unset so the standard places under this HOME are the ones read.
  return { home, target, env: { HOME: home, XDG_CONFIG_HOME: '', MCPGW_CONFIG: '' } };
}

describe('mcpgw config import', () => {
  it('imports a Claude Desktop config: one line per server, secrets moved to a 0600 file, never printed', async () => {
    const { env, target } = homeWithClaude();
    const dry = await mcpgw(['config', 'import', '--from', 'claude-desktop', '--dry-run'], env);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain(`dry run: ${target} was not changed`);
    expect(() => statSync(target)).toThrow();

    const r = await mcpgw(['config', 'import', '--from', 'claude-desktop'], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^github\s+added\s+will build \(@modelcontextprotocol\/server-github\)$/m);
    expect(r.stdout).toMatch(/^fetch\s+added\s+will build \(pip mcp-server-fetch\)$/m);
    expect(r.stdout).toMatch(/^linear\s+added\s+unavailable \(a remote sse server/m);
    expect(r.stdout).toMatch(/^notes-fs\s+added \(from "notes\.fs"\)\s+will build/m);
    expect(r.stdout).toMatch(/^bad\s+added\s+unavailable \(.*--privileged/m);
    expect(r.stderr).toContain('note: notes.fs: cwd: dropped');
    expect(r.stdout + r.stderr).not.toContain(CANARY);

    const written = JSON.parse(readFileSync(target, 'utf8')) as { mcpServers: Record<string, { env?: Record<string, string> }> };
    expect(Object.keys(written.mcpServers)).toEqual(['github', 'fetch', 'linear', 'notes-fs', 'bad']);
    expect(written.mcpServers.github?.env).toEqual({ GITHUB_PERSONAL_ACCESS_TOKEN: '${GITHUB_PERSONAL_ACCESS_TOKEN}' });
    const secrets = path.join(path.dirname(target), 'secrets.env');
    expect(readFileSync(secrets, 'utf8')).toBe(`GITHUB_PERSONAL_ACCESS_TOKEN=${CANARY}\n`);
    expect(statSync(secrets).mode & 0o777).toBe(0o600);
    expect(statSync(target).mode & 0o777).toBe(0o600);

    // What mcpgw itself now says about the imported servers: the secret resolves from secrets.env.
    const ls = await mcpgw(['servers', 'ls', '--json'], env);
    const listed = JSON.parse(ls.stdout) as { servers: Array<{ name: string; available: boolean }> };
    expect(listed.servers.filter((s) => s.available).map((s) => s.name)).toEqual(['github', 'fetch', 'notes-fs']);
    expect(ls.stdout).not.toContain(CANARY);
  });

  it('a second import changes nothing; a changed server is kept unless --overwrite, with a backup first', async () => {
    const { env, target, home } = homeWithClaude();
    expect((await mcpgw(['config', 'import', '--from', 'claude-desktop'], env)).code).toBe(0);
    const again = await mcpgw(['config', 'import', '--from', 'claude-desktop', '--json'], env);
    const report = JSON.parse(again.stdout) as { servers: Array<{ name: string; action: string }>; backup: string | null };
    expect(new Set(report.servers.map((s) => s.action))).toEqual(new Set(['unchanged']));
    expect(report.backup).toBeNull();

    const mine = JSON.parse(readFileSync(target, 'utf8')) as { mcpServers: Record<string, unknown> };
    mine.mcpServers.fetch = { command: 'uvx', args: ['mcp-server-fetch==1.0'] };
    writeFileSync(target, JSON.stringify(mine));
    const kept = await mcpgw(['config', 'import', '--from', 'claude-desktop'], env);
    expect(kept.stdout).toMatch(/^fetch\s+kept yours\s+/m);
    expect((JSON.parse(readFileSync(target, 'utf8')) as typeof mine).mcpServers.fetch).toEqual(mine.mcpServers.fetch);

    const replaced = await mcpgw(['config', 'import', '--from', 'claude-desktop', '--overwrite'], env);
    expect(replaced.stdout).toMatch(/^fetch\s+replaced\s+/m);
    const backups = readdirSync(path.join(home, '.config/mcpgw')).filter((f) => f.startsWith('config.json.bak-'));
    expect(backups).toHaveLength(1);
    expect(JSON.parse(readFileSync(path.join(home, '.config/mcpgw', backups[0] ?? ''), 'utf8'))).toEqual(mine);
  });

  it('says what is wrong with a file it cannot read, in one line and exit 2', async () => {
    const { env, home } = homeWithClaude();
    const broken = path.join(home, 'broken.json');
    writeFileSync(broken, '{ "mcpServers": { "a": ');
    const r = await mcpgw(['config', 'import', '--from', broken], env);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^mcpgw: .*broken\.json is not valid JSON/)]);
    const none = await mcpgw(['config', 'import', '--from', 'windsurf'], env);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/no MCP server configs found in windsurf/);
  });
});

describe('mcpgw doctor', () => {
  it('checks the engine, Redis, images and every server, with a fix for each problem', async () => {
    const ok = await mcpgw(['--config', TEST_CONFIG_FILE, 'doctor', '--json'], { GEMINI_API_KEY: 'test' });
    const report = JSON.parse(ok.stdout) as { ok: boolean; checks: Array<{ name: string; status: string; detail: string }> };
    const byName = new Map(report.checks.map((c) => [c.name, c]));
    expect(byName.get('engine')).toMatchObject({ status: 'ok', detail: expect.stringMatching(/^Docker \d/) });
    expect(byName.get('limits')).toMatchObject({
      status: 'ok',
      detail: expect.stringMatching(/^memory, CPU and pids limits enforced \(rootful, cgroup v/),
    });
    expect(byName.get('redis')?.status).toBe('ok');
    expect(byName.get('server testsrv')).toMatchObject({ status: 'ok', detail: expect.stringContaining('ready') });
    expect(byName.get('disk')?.status).not.toBe('fail');
    expect(ok.code).toBe(report.ok ? 0 : 1);

    const dir = mkdtempSync(path.join(tmpdir(), 'mcpgw-doctor-'));
    const config = path.join(dir, 'config.json');
    writeFileSync(config, JSON.stringify({ mcpServers: { gh: { command: 'mcp-x', env: { TOKEN: '${MCPGW_DOCTOR_MISSING}' } } } }));
    const bad = await mcpgw(['--config', config, 'doctor'], { REDIS_URL: 'redis://127.0.0.1:1' });
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/^FAIL\s+redis\s+cannot reach redis:\/\/127\.0\.0\.1:1.* — fix: /m);
    expect(bad.stdout).toMatch(/^FAIL\s+server gh\s+.*MCPGW_DOCTOR_MISSING/m);
    expect(bad.stdout).toMatch(/^\d+ problem\(s\) found$/m);
  });

  it('names the engine problem in one line when the engine cannot be reached', async () => {
    const r = await mcpgw(['--config', TEST_CONFIG_FILE, 'doctor'], { DOCKER_HOST: 'unix:///nonexistent/docker.sock' });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^FAIL\s+engine\s+cannot reach the engine at unix:\/\/\/nonexistent\/docker\.sock.* — fix: /m);
    expect(r.stderr).toBe('');
  });
});
