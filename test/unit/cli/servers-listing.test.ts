import { describe, expect, it } from 'vitest';
import { serverStates, serverSummary } from '../../../daemon/config/availability.js';
import { foldRepairs } from '../../../cli/local/servers.js';
import { formatConfigIssues, parseCatalog } from '../../../src/config/catalog.js';
import { imageLabel, loosenedBy } from '../../../src/config/describe.js';

describe('foldRepairs', () => {
  it('prints a repair many tools share once, with how many and which', () => {
    const schema = '#: removed keywords Gemini does not accept here: "$schema"';
    const tools = ['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((tool) => ({ tool, repairs: [schema] }));
    tools.push({ tool: 'h', repairs: ['description: truncated from 9000 to 4096 characters'] });
    expect(foldRepairs(tools)).toEqual([
      `  ${schema} (7 tools: a, b, c, d, e …)`,
      '  h: description: truncated from 9000 to 4096 characters',
    ]);
    expect(
      foldRepairs([
        { tool: 'x', repairs: [schema] },
        { tool: 'y', repairs: [schema] },
      ]),
    ).toEqual([`  ${schema} (2 tools: x, y)`]);
  });
});

describe('server listings', () => {
  const parsed = parseCatalog({
    mcpServers: {
      web: { image: 'my/fetch:1', network: 'bridge', mounts: ['/a:/a:rw', '/b:/b'], limits: { memory: '1g' } },
      remote: { url: 'https://example.com/mcp' },
      git: { command: 'uvx', args: ['mcp-server-git'], env: { T: '${GIT_TOKEN}' } },
      off: { command: 'node', disabled: true },
    },
  });
  if (!parsed.ok) throw new Error(formatConfigIssues(parsed.issues));
  const { catalog } = parsed;

  it('says what a server loosens, and nothing for the defaults', () => {
    expect(loosenedBy(catalog.servers.get('web')!)).toEqual(['network bridge', 'writable mount /a', 'memory 1024 MiB']);
    expect(loosenedBy(catalog.servers.get('git')!)).toEqual([]);
    expect(imageLabel(catalog.servers.get('git')!)).toBe('build: pip mcp-server-git');
    expect(imageLabel(catalog.servers.get('off')!)).toBe('node base');
  });

  it('lists every server in config order, static and current reasons included', async () => {
    const check = async (s: { name: string }) => (s.name === 'git' ? 'server "git" cannot start: secret GIT_TOKEN is not set' : undefined);
    const states = await serverStates(catalog, { check });
    expect(states.map((s) => serverSummary(s))).toEqual([
      {
        name: 'web',
        runtime: 'runc',
        image: 'my/fetch:1',
        network: 'bridge',
        disabled: false,
        available: true,
        loosened: ['network bridge', 'writable mount /a', 'memory 1024 MiB'],
      },
      {
        name: 'remote',
        runtime: 'runc',
        image: '-',
        network: 'none',
        disabled: false,
        available: false,
        reason: expect.stringContaining('a remote server ("url")'),
      },
      {
        name: 'git',
        runtime: 'runc',
        image: 'build: pip mcp-server-git',
        network: 'none',
        disabled: false,
        available: false,
        reason: 'server "git" cannot start: secret GIT_TOKEN is not set',
      },
      { name: 'off', image: 'node base', network: 'none', disabled: true, available: true, runtime: 'runc' },
    ]);
  });
});
