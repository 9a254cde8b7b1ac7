import { homedir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../../daemon/config/load.js';

const load = (build: unknown, sandbox?: unknown) =>
  parseConfigText(JSON.stringify({ mcpServers: { s: { command: 'x', build } }, ...(sandbox ? { sandbox } : {}) }), '/etc/mcpgw/config.json')
    .catalog;

describe('local package specs are made absolute against the config file', () => {
  it('for pip: project dirs, wheels, sdists and extras; names, URLs and direct references are left alone', () => {
    const specs = [
      './py-server',
      '../wheels/x-1.0-py3-none-any.whl',
      'dist/y-2.tar.gz',
      '~/proj[cli]',
      'mcp-server-fetch==1.0',
      'requests[socks]>=2',
      'https://h.example/z-1-py3-none-any.whl',
      'pkg @ https://h.example/p.zip',
    ];
    expect(load({ pip: specs }).servers.get('s')?.build?.pip).toEqual([
      '/etc/mcpgw/py-server',
      '/etc/wheels/x-1.0-py3-none-any.whl',
      '/etc/mcpgw/dist/y-2.tar.gz',
      `${homedir()}/proj[cli]`,
      'mcp-server-fetch==1.0',
      'requests[socks]>=2',
      'https://h.example/z-1-py3-none-any.whl',
      'pkg @ https://h.example/p.zip',
    ]);
  });

  it('for npm: dirs, tarballs and file: specs, but not a tarball URL', () => {
    expect(load({ npm: ['./srv', 'file:../pkg', 'a.tgz', 'https://h.example/b.tgz', '@s/p@1'] }).servers.get('s')?.build?.npm).toEqual([
      '/etc/mcpgw/srv',
      'file:/etc/pkg',
      '/etc/mcpgw/a.tgz',
      'https://h.example/b.tgz',
      '@s/p@1',
    ]);
  });

  it('and so are the CA files named in sandbox.build', () => {
    const { sandbox } = load({ npm: ['a'] }, { build: { npm: { cafile: 'ca.pem' }, pip: { cert: '/abs/ca.pem' } } });
    expect(sandbox.build.npm.cafile).toBe('/etc/mcpgw/ca.pem');
    expect(sandbox.build.pip.cert).toBe('/abs/ca.pem');
  });
});
