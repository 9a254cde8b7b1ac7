import { describe, expect, it } from 'vitest';
import { formatConfigIssues, parseCatalog } from '../../../src/config/catalog.js';
import { suggestedHosts } from '../../../src/config/known-hosts.js';

const notices = (entry: Record<string, unknown>): string[] => {
  const result = parseCatalog({ mcpServers: { s: entry } });
  if (!result.ok) throw new Error(formatConfigIssues(result.issues));
  return result.notices;
};

describe('suggested allowlists for pasted entries', () => {
  it('knows the hosts of well-known servers by package or image, whatever the version or tag', () => {
    expect(suggestedHosts({ packages: ['@upstash/context7-mcp@1.0.14'], args: [] })).toEqual(['context7.com', '*.context7.com']);
    expect(suggestedHosts({ packages: [], image: 'ghcr.io/github/github-mcp-server:v0.9', args: [] })).toEqual(['api.github.com']);
    expect(suggestedHosts({ packages: ['@modelcontextprotocol/server-brave-search'], args: [] })).toEqual(['api.search.brave.com']);
    expect(suggestedHosts({ packages: ['mcp-server-fetch==2025.1.17'], args: [] })).toBe('any');
    expect(suggestedHosts({ packages: ['@modelcontextprotocol/server-memory'], args: [] })).toBeUndefined();
  });

  it('takes mcp-remote’s host (and a port that is not the scheme’s) from its URL', () => {
    expect(suggestedHosts({ packages: ['mcp-remote@0.1'], args: ['https://mcp.example.com/sse'] })).toEqual(['mcp.example.com']);
    expect(suggestedHosts({ packages: ['mcp-remote'], args: ['http://tools.example.org:8080/mcp', '--debug'] })).toEqual([
      'tools.example.org:8080',
    ]);
  });

  it('suggests in the notice of a pasted entry and grants nothing', () => {
    const result = parseCatalog({ mcpServers: { ctx7: { command: 'npx', args: ['-y', '@upstash/context7-mcp'] } } });
    if (!result.ok) throw new Error(formatConfigIssues(result.issues));
    expect(result.catalog.servers.get('ctx7')?.network).toBe('none');
    expect(result.notices).toContain(
      'mcpServers.ctx7: needs the network and has none yet: to let it reach its API only, add "network": {"allow": ["context7.com","*.context7.com"]} (a suggestion: nothing is allowed until you add it)',
    );
    expect(notices({ command: 'docker', args: ['run', '-i', '--rm', 'mcp/fetch'] })).toContainEqual(
      expect.stringMatching(/fetches any URL it is given and has no network yet/),
    );
    expect(notices({ command: 'npx', args: ['-y', 'mcp-remote', 'https://mcp.example.com/sse'] })).toContainEqual(
      expect.stringContaining('"network": {"allow": ["mcp.example.com"]}'),
    );
  });

  it('says nothing when the entry sets its network, or was not pasted', () => {
    expect(
      notices({ command: 'npx', args: ['-y', '@upstash/context7-mcp'], network: { allow: ['*.context7.com'] } }).join('\n'),
    ).not.toMatch(/suggestion/);
    expect(notices({ command: 'npx', args: ['-y', '@upstash/context7-mcp'], network: 'none' }).join('\n')).not.toMatch(/suggestion/);
    expect(notices({ command: 'mcp-server-github', build: { npm: ['@modelcontextprotocol/server-github'] } })).toEqual([]);
  });
});
