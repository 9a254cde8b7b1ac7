import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../../daemon/config/load.js';

/** A config directory holding the local packages the specs name (the loader checks that they exist). */
function configDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'mcpgw-specs-'));
  for (const d of ['py-server', 'proj', 'srv']) mkdirSync(path.join(dir, d));
  mkdirSync(path.join(dir, 'dist'));
  for (const f of ['dist/y-2.tar.gz', 'x-1.0-py3-none-any.whl', 'a.tgz']) writeFileSync(path.join(dir, f), '');
  return dir;
}

const load = (dir: string, build: unknown, sandbox?: unknown) => {
  const { catalog } = parseConfigText(
    JSON.stringify({ mcpServers: { s: { command: 'x', build } }, ...(sandbox ? { sandbox } : {}) }),
    path.join(dir, 'config.json'),
  );
  expect(catalog.unavailable.get('s')).toBeUndefined();
  return catalog;
};

describe('local package specs are made absolute against the config file', () => {
  it('for pip: project dirs, wheels, sdists and extras; names, URLs and direct references are left alone', () => {
    const dir = configDir();
    const specs = [
      './py-server',
      'x-1.0-py3-none-any.whl',
      'dist/y-2.tar.gz',
      './proj[cli]',
      'mcp-server-fetch==1.0',
      'requests[socks]>=2',
      'https://h.example/z-1-py3-none-any.whl',
      'pkg @ https://h.example/p.zip',
    ];
    expect(load(dir, { pip: specs }).servers.get('s')?.build?.pip).toEqual([
      path.join(dir, 'py-server'),
      path.join(dir, 'x-1.0-py3-none-any.whl'),
      path.join(dir, 'dist/y-2.tar.gz'),
      `${path.join(dir, 'proj')}[cli]`,
      'mcp-server-fetch==1.0',
      'requests[socks]>=2',
      'https://h.example/z-1-py3-none-any.whl',
      'pkg @ https://h.example/p.zip',
    ]);
  });

  it('for npm: dirs, tarballs and file: specs, but not a tarball URL', () => {
    const dir = configDir();
    expect(load(dir, { npm: ['./srv', 'file:./srv', 'a.tgz', 'https://h.example/b.tgz', '@s/p@1'] }).servers.get('s')?.build?.npm).toEqual([
      path.join(dir, 'srv'),
      `file:${path.join(dir, 'srv')}`,
      path.join(dir, 'a.tgz'),
      'https://h.example/b.tgz',
      '@s/p@1',
    ]);
  });

  it('and so are the CA files named in sandbox.build', () => {
    const dir = configDir();
    const { sandbox } = load(dir, { npm: ['a'] }, { build: { npm: { cafile: 'ca.pem' }, pip: { cert: '/abs/ca.pem' } } });
    expect(sandbox.build.npm.cafile).toBe(path.join(dir, 'ca.pem'));
    expect(sandbox.build.pip.cert).toBe('/abs/ca.pem');
  });
});
