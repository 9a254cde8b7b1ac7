import { describe, expect, it } from 'vitest';
import { formatConfigIssues, parseCatalog } from '../../../src/config/catalog.js';
import { describeNetwork, formatEgressRule, parseEgressRule, shortNetwork } from '../../../src/config/egress.js';
import { decideName } from '../../../daemon/egress/gateway/policy.js';

const rule = (text: string) => {
  const parsed = parseEgressRule(text);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.rule;
};
const error = (text: string): string => {
  const parsed = parseEgressRule(text);
  if (parsed.ok) throw new Error(`"${text}" parsed`);
  return parsed.message;
};

describe('parseEgressRule', () => {
  it('defaults to ports 443 and 80', () => {
    expect(rule('api.github.com')).toEqual({ host: 'api.github.com', wildcard: false, ports: [443, 80] });
  });

  it('takes one explicit port', () => {
    expect(rule('example.org:8443')).toEqual({ host: 'example.org', wildcard: false, ports: [8443] });
  });

  it('keeps a wildcard as its suffix', () => {
    expect(rule('*.context7.com')).toEqual({ host: 'context7.com', wildcard: true, ports: [443, 80] });
  });

  it('is case-insensitive and drops a trailing dot', () => {
    expect(rule('API.GitHub.COM.')).toEqual(rule('api.github.com'));
  });

  it('turns an internationalised name into punycode', () => {
    expect(rule('bücher.example').host).toBe('xn--bcher-kva.example');
    expect(rule('*.bücher.example')).toMatchObject({ host: 'xn--bcher-kva.example', wildcard: true });
  });

  it('reads a pasted URL as its host and the scheme’s port', () => {
    expect(rule('https://api.example.com/')).toEqual({ host: 'api.example.com', wildcard: false, ports: [443] });
    expect(rule('http://api.example.com')).toEqual({ host: 'api.example.com', wildcard: false, ports: [80] });
    expect(rule('https://api.example.com:8443')).toMatchObject({ ports: [8443] });
  });

  it('refuses what the gateway cannot enforce or must never allow', () => {
    expect(error('https://api.example.com/v1/repos')).toMatch(/paths cannot be allowed/);
    expect(error('192.0.2.1')).toMatch(/IP addresses/);
    expect(error('0x7f.1')).toMatch(/IP addresses/);
    expect(error('[::1]:443')).toMatch(/IP addresses/);
    expect(error('::1')).toMatch(/IP addresses/);
    expect(error('*')).toMatch(/not a host name|leftmost/);
    expect(error('a*.example.com')).toMatch(/leftmost label/);
    expect(error('api.*.com')).toMatch(/leftmost label/);
    expect(error('localhost')).toMatch(/fully qualified/);
    expect(error('example.org:0')).toMatch(/not a port/);
    expect(error('example.org:70000')).toMatch(/not a port/);
    expect(error('example.org:http')).toMatch(/not a port/);
    expect(error('dns.example:53')).toMatch(/port 53/);
    expect(error('bad_name.example.com')).toMatch(/not a (valid )?host name/);
    expect(error('-bad.example.com')).toMatch(/valid host name/);
    expect(error('user@example.com')).toMatch(/not a host name/);
  });

  it('formats rules back the way people write them', () => {
    expect(['api.github.com', '*.context7.com', 'example.org:8443'].map((t) => formatEgressRule(rule(t)))).toEqual([
      'api.github.com',
      '*.context7.com',
      'example.org:8443',
    ]);
  });
});

describe('decideName (the gateway’s name check)', () => {
  const rules = ['api.github.com', '*.context7.com', 'example.org:8443'].map(rule);

  it('allows a listed name on its ports only', () => {
    expect(decideName(rules, 'api.github.com', 443)).toBe('allowed');
    expect(decideName(rules, 'api.github.com', 80)).toBe('allowed');
    expect(decideName(rules, 'api.github.com', 8443)).toBe('port_not_allowed');
    expect(decideName(rules, 'example.org', 8443)).toBe('allowed');
    expect(decideName(rules, 'example.org', 443)).toBe('port_not_allowed');
  });

  it('matches wildcards at any depth, never the bare suffix', () => {
    expect(decideName(rules, 'mcp.context7.com', 443)).toBe('allowed');
    expect(decideName(rules, 'a.b.context7.com', 443)).toBe('allowed');
    expect(decideName(rules, 'context7.com', 443)).toBe('not_allowed');
    expect(decideName(rules, 'evilcontext7.com', 443)).toBe('not_allowed');
  });

  it('is case-insensitive, ignores a trailing dot, and does not match lookalikes', () => {
    expect(decideName(rules, 'API.GITHUB.COM.', 443)).toBe('allowed');
    expect(decideName(rules, 'api.github.com.evil.example', 443)).toBe('not_allowed');
    expect(decideName(rules, 'github.com', 443)).toBe('not_allowed');
  });

  it('refuses raw addresses and missing names', () => {
    for (const ip of ['192.0.2.1', '[2001:db8::1]', '::1', '2130706433', '0x7f000001']) expect(decideName(rules, ip, 443)).toBe('raw_ip');
    expect(decideName(rules, '', 443)).toBe('no_name');
  });

  it('decides a DNS lookup on the name alone', () => {
    expect(decideName(rules, 'example.org')).toBe('allowed');
    expect(decideName(rules, 'registry.npmjs.org')).toBe('not_allowed');
  });
});

describe('network in a server entry', () => {
  const parse = (network: unknown) => parseCatalog({ mcpServers: { s: { command: 'node', network } } });

  it('parses an allowlist into rules', () => {
    const result = parse({ allow: ['api.github.com', '*.context7.com', 'example.org:8443'] });
    if (!result.ok) throw new Error(formatConfigIssues(result.issues));
    expect(result.catalog.servers.get('s')?.network).toEqual({
      allow: [
        { host: 'api.github.com', wildcard: false, ports: [443, 80] },
        { host: 'context7.com', wildcard: true, ports: [443, 80] },
        { host: 'example.org', wildcard: false, ports: [8443] },
      ],
    });
  });

  it('keeps "none" as the default and "bridge" as explicit full access', () => {
    const none = parseCatalog({ mcpServers: { s: { command: 'node' } } });
    const bridge = parse('bridge');
    expect(none.ok && none.catalog.servers.get('s')?.network).toBe('none');
    expect(bridge.ok && bridge.catalog.servers.get('s')?.network).toBe('bridge');
  });

  it('makes a server with a bad entry unavailable, saying which entry and why', () => {
    const why = (network: unknown): string | undefined => {
      const result = parse(network);
      if (!result.ok) throw new Error(formatConfigIssues(result.issues));
      return result.catalog.unavailable.get('s')?.reason;
    };
    expect(why({ allow: ['api.github.com', '10.0.0.1'] })).toBe(
      'mcpServers.s.network.allow.1: IP addresses cannot be allowed: name the host (found: "10.0.0.1")',
    );
    expect(why({ allow: [] })).toMatch(/at least one host/);
    expect(why({ allow: ['a.example'], deny: ['b.example'] })).toMatch(/unknown key/);
    for (const shared of ['host', 'container:abc']) expect(why(shared)).toMatch(/would share another network namespace/);
    expect(why({ allow: ['a.example'] })).toBeUndefined();
  });

  it('describes every kind loudly enough', () => {
    expect(describeNetwork('none')).toBe('none');
    expect(describeNetwork('bridge')).toBe('bridge: FULL network access (opted in)');
    expect(describeNetwork({ allow: [rule('api.github.com'), rule('example.org:8443')] })).toBe(
      'allow api.github.com, example.org:8443 (opted in)',
    );
    expect(describeNetwork('my-net')).toBe('my-net: Docker network, full access (opted in)');
    expect(shortNetwork({ allow: [rule('*.context7.com')] })).toBe('allow *.context7.com');
    expect(shortNetwork('bridge')).toBe('bridge');
  });
});
