import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  parseNpmrc,
  parsePipConfig,
  readNpmSettings,
  readPipSettings,
  redactCredentials,
  withoutCredentials,
} from '../../../daemon/images/registry.js';

function tempHome(): string {
  return mkdtempSync(path.join(tmpdir(), 'mcpgw-registry-'));
}

describe('npm settings', () => {
  it('parses npmrc: comments, quotes, ${VAR} from the environment, ca[] lists, other keys ignored', () => {
    const text = [
      '; a comment',
      '# another',
      'registry = "https://mirror.example/npm/"',
      'cafile=${HOME}/ca.pem',
      'ca[]="-----BEGIN CERTIFICATE-----\\nAAA\\n-----END CERTIFICATE-----"',
      'ca[]=second',
      '//mirror.example/npm/:_authToken=SECRET',
      'https-proxy=http://proxy.example:3128',
    ].join('\n');
    const values = parseNpmrc(text, { HOME: '/home/u' });
    expect(Object.fromEntries(values)).toEqual({
      registry: 'https://mirror.example/npm/',
      cafile: '/home/u/ca.pem',
      ca: '-----BEGIN CERTIFICATE-----\nAAA\n-----END CERTIFICATE-----\nsecond',
      'https-proxy': 'http://proxy.example:3128',
    });
  });

  it('reads global then user npmrc then npm_config_* variables, the way npm orders them', async () => {
    const home = tempHome();
    const prefix = path.join(home, 'prefix');
    mkdirSync(path.join(prefix, 'etc'), { recursive: true });
    writeFileSync(path.join(prefix, 'etc', 'npmrc'), 'cafile=/etc/ssl/global.pem\nregistry=https://global.example/\n');
    writeFileSync(path.join(home, '.npmrc'), 'registry=https://user.example/\n');
    const settings = await readNpmSettings(
      { HOME: home, npm_config_prefix: prefix, NPM_CONFIG_HTTPS_PROXY: 'http://p:1' },
      '/x/bin/node',
      undefined,
      home,
    );
    expect(settings).toEqual({
      registry: 'https://user.example/',
      cafile: '/etc/ssl/global.pem',
      ca: undefined,
      proxy: undefined,
      httpsProxy: 'http://p:1',
    });
  });

  it('finds the global npmrc under the node binary prefix, and proxies default to HTTPS_PROXY like npm', async () => {
    const home = tempHome();
    mkdirSync(path.join(home, 'usr', 'etc'), { recursive: true });
    writeFileSync(path.join(home, 'usr', 'etc', 'npmrc'), 'cafile=/etc/ssl/certs/ca-certificates.crt\n');
    const settings = await readNpmSettings({ HTTPS_PROXY: 'http://corp:8080' }, path.join(home, 'usr', 'bin', 'node'), undefined, home);
    expect(settings).toMatchObject({ cafile: '/etc/ssl/certs/ca-certificates.crt', httpsProxy: 'http://corp:8080', registry: undefined });
  });
});

describe('pip settings', () => {
  it('parses pip.conf: [install] over [global], index_url spelled either way', () => {
    const values = parsePipConfig(
      '[global]\nindex_url = https://a.example/simple\ncert = /a.pem\n[install]\nindex-url = https://b.example/simple\n[freeze]\ncert=/no.pem\n',
    );
    expect(Object.fromEntries(values)).toEqual({ 'index-url': 'https://b.example/simple', cert: '/a.pem' });
  });

  it('reads config files in pip order, then PIP_* variables', async () => {
    const home = tempHome();
    mkdirSync(path.join(home, '.config', 'pip'), { recursive: true });
    writeFileSync(path.join(home, '.config', 'pip', 'pip.conf'), '[global]\nindex-url = https://user.example/simple\ncert = ~/ca.pem\n');
    const envFile = path.join(home, 'env.conf');
    writeFileSync(envFile, '[global]\nproxy = http://from-file:1\n');
    const env = { XDG_CONFIG_DIRS: path.join(home, 'none'), PIP_CONFIG_FILE: envFile };
    expect(await readPipSettings(env, home)).toEqual({
      indexUrl: 'https://user.example/simple',
      cert: path.join(home, 'ca.pem'),
      proxy: 'http://from-file:1',
    });
    expect(await readPipSettings({ ...env, PIP_INDEX_URL: 'file:///srv/index', PIP_CERT: '/env.pem' }, home)).toMatchObject({
      indexUrl: 'file:///srv/index',
      cert: '/env.pem',
    });
    expect(await readPipSettings({ PIP_CONFIG_FILE: '/dev/null' }, home)).toEqual({
      indexUrl: undefined,
      cert: undefined,
      proxy: undefined,
    });
  });
});

describe('credentials', () => {
  it('are removed from URLs that go into a hash, and masked in build output', () => {
    expect(withoutCredentials('https://user:p%40ss@mirror.example/simple')).toBe('https://mirror.example/simple');
    expect(withoutCredentials('https://mirror.example/simple')).toBe('https://mirror.example/simple');
    expect(redactCredentials('GET https://u:tok@mirror.example/x failed; proxy http://a:b@p:3128')).toBe(
      'GET https://***@mirror.example/x failed; proxy http://***@p:3128',
    );
  });
});
