import { describe, expect, it } from 'vitest';
import { clientConfigFiles, mergeServers, normalizeEntry, safeServerName, serverMapsOf } from '../../../src/config/import.js';

const linux = { home: '/home/ada', cwd: '/work/proj', platform: 'linux' };
const mac = { home: '/Users/ada', cwd: '/work/proj', platform: 'darwin' };

describe('clientConfigFiles', () => {
  it('knows where each client keeps its servers on Linux and macOS', () => {
    expect(clientConfigFiles('claude-desktop', linux)).toEqual(['/home/ada/.config/Claude/claude_desktop_config.json']);
    expect(clientConfigFiles('claude-desktop', mac)).toEqual(['/Users/ada/Library/Application Support/Claude/claude_desktop_config.json']);
    expect(clientConfigFiles('claude-desktop', { ...linux, xdgConfigHome: '/xdg' })).toEqual(['/xdg/Claude/claude_desktop_config.json']);
    expect(clientConfigFiles('claude-code', linux)).toEqual(['/home/ada/.claude.json', '/work/proj/.mcp.json']);
    expect(clientConfigFiles('cursor', linux)).toEqual(['/home/ada/.cursor/mcp.json', '/work/proj/.cursor/mcp.json']);
    expect(clientConfigFiles('vscode', mac)).toEqual([
      '/Users/ada/Library/Application Support/Code/User/mcp.json',
      '/Users/ada/Library/Application Support/Code/User/settings.json',
      '/work/proj/.vscode/mcp.json',
    ]);
    expect(clientConfigFiles('gemini-cli', linux)).toEqual(['/home/ada/.gemini/settings.json', '/work/proj/.gemini/settings.json']);
    expect(clientConfigFiles('windsurf', linux)).toEqual(['/home/ada/.codeium/windsurf/mcp_config.json']);
  });
});

describe('serverMapsOf', () => {
  it('reads mcpServers, VS Code servers and mcp.servers, and Claude Code projects', () => {
    expect(Object.keys(serverMapsOf({ mcpServers: { a: {} } }).servers)).toEqual(['a']);
    expect(Object.keys(serverMapsOf({ servers: { b: {} }, inputs: [] }).servers)).toEqual(['b']);
    expect(Object.keys(serverMapsOf({ 'editor.fontSize': 12, mcp: { servers: { c: {} } } }).servers)).toEqual(['c']);
    const claude = serverMapsOf({ mcpServers: { a: { command: 'x' } }, projects: { '/p': { mcpServers: { a: {}, d: {} } } } });
    expect(Object.keys(claude.servers)).toEqual(['a', 'd']);
    expect(claude.servers.a).toEqual({ command: 'x' });
    expect(claude.notes).toEqual(['projects[/p].mcpServers.a: a server of that name was already found; kept the first']);
  });

  it('finds nothing in documents without servers', () => {
    expect(serverMapsOf(null).servers).toEqual({});
    expect(serverMapsOf([1, 2]).servers).toEqual({});
    expect(serverMapsOf({ theme: 'dark' }).servers).toEqual({});
  });
});

describe('normalizeEntry', () => {
  it('keeps stdio fields and remote fields, drops client-specific ones with a note', () => {
    const { entry, notes } = normalizeEntry('gh', {
      command: 'npx',
      args: ['-y', 'pkg'],
      cwd: '/home/ada',
      trust: true,
      timeout: 30000,
      includeTools: ['a'],
    });
    expect(entry).toEqual({ command: 'npx', args: ['-y', 'pkg'], timeout: 30000 });
    expect(notes).toEqual([
      expect.stringMatching(/^gh: cwd: dropped \(the sandbox has its own working directory/),
      expect.stringMatching(/^gh: trust: dropped \(mcpgw asks a human/),
      expect.stringMatching(/^gh: includeTools: dropped \(use a policy/),
    ]);
    expect(normalizeEntry('r', { serverUrl: 'https://x.example/mcp' }).entry).toEqual({ url: 'https://x.example/mcp' });
    expect(normalizeEntry('r', { type: 'http', url: 'https://x.example/mcp', headers: {} }).entry).toEqual({
      type: 'http',
      url: 'https://x.example/mcp',
    });
  });

  it('moves literal secrets out of env and leaves references and plain values alone', () => {
    const result = normalizeEntry('gh', {
      command: 'x',
      env: { GITHUB_PERSONAL_ACCESS_TOKEN: 'ghp_canary', LOG_LEVEL: 'debug', API_KEY: '${API_KEY}', PORT: 3 },
    });
    expect(result.entry.env).toEqual({
      GITHUB_PERSONAL_ACCESS_TOKEN: '${GITHUB_PERSONAL_ACCESS_TOKEN}',
      LOG_LEVEL: 'debug',
      API_KEY: '${API_KEY}',
      PORT: '3',
    });
    expect(result.secrets).toEqual({ GITHUB_PERSONAL_ACCESS_TOKEN: 'ghp_canary' });
    expect(result.notes.join('\n')).not.toContain('ghp_canary');
  });

  it("turns VS Code's ${input:x} prompts into ${X} secrets", () => {
    const result = normalizeEntry('v', { command: 'x', args: ['--token', '${input:gh-token}'], env: { T: '${input:gh-token}' } });
    expect(result.entry.args).toEqual(['--token', '${GH_TOKEN}']);
    expect(result.entry.env).toEqual({ T: '${GH_TOKEN}' });
    expect(result.notes[0]).toContain('${input:gh-token} became ${GH_TOKEN}');
  });

  it('imports a non-object as an empty entry with a note', () => {
    expect(normalizeEntry('bad', 'npx foo')).toMatchObject({ entry: {}, notes: [expect.stringContaining('not an object')] });
  });
});

describe('safeServerName', () => {
  it('makes names mcpgw accepts and keeps them unique', () => {
    expect(safeServerName('github.com', new Set())).toBe('github-com');
    expect(safeServerName('my__server', new Set())).toBe('my_server');
    expect(safeServerName('-x-', new Set())).toBe('x');
    expect(safeServerName('日本', new Set())).toBe('server');
    expect(safeServerName('a', new Set(['a', 'a-2']))).toBe('a-3');
  });
});

describe('mergeServers', () => {
  it('adds new servers, keeps identical ones, never replaces a different one silently', () => {
    const existing = { a: { command: 'x', args: ['1'] }, b: { command: 'y' } };
    const incoming = [
      { from: 'a', entry: { args: ['1'], command: 'x' } },
      { from: 'b', entry: { command: 'z' } },
      { from: 'new.one', entry: { command: 'n' } },
    ];
    const kept = mergeServers(existing, incoming, { overwrite: false });
    expect(kept.actions).toEqual([
      { from: 'a', name: 'a', action: 'unchanged' },
      { from: 'b', name: 'b', action: 'kept-yours' },
      { from: 'new.one', name: 'new-one', action: 'added' },
    ]);
    expect(kept.merged.b).toEqual({ command: 'y' });
    const replaced = mergeServers(existing, incoming, { overwrite: true });
    expect(replaced.merged.b).toEqual({ command: 'z' });
    expect(replaced.actions[1]?.action).toBe('replaced');
  });

  it('compares a renamed server with the one an earlier import wrote', () => {
    const again = mergeServers({ 'new-one': { command: 'n' } }, [{ from: 'new.one', entry: { command: 'n' } }], { overwrite: false });
    expect(again.actions).toEqual([{ from: 'new.one', name: 'new-one', action: 'unchanged' }]);
  });

  it('renames a second server of the same name from another file', () => {
    const result = mergeServers(
      {},
      [
        { from: 'fs', entry: { command: 'a' } },
        { from: 'fs', entry: { command: 'b' } },
      ],
      { overwrite: false },
    );
    expect(result.actions.map((a) => a.name)).toEqual(['fs', 'fs-2']);
  });
});
