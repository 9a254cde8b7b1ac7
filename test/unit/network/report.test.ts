import { describe, expect, it } from 'vitest';
import type { EgressDecision } from '../../../daemon/egress/manager.js';
import { egressReporter, formatDecision } from '../../../daemon/egress/report.js';
import { createLogger } from '../../../daemon/logger.js';
import type { AuditRecord } from '../../../src/protocol/session.js';

const base = { lease: 'L1', sessionId: 's1', server: 'web' };
const allowed: EgressDecision = {
  ...base,
  via: 'tls',
  allowed: true,
  reason: 'allowed',
  host: 'api.github.com',
  port: 443,
  address: '10.0.0.7',
  bytesUp: 1536,
  bytesDown: 40_960,
  durationMs: 120,
};
const denied: EgressDecision = { ...base, via: 'dns', allowed: false, reason: 'not_allowed', host: 'registry.npmjs.org' };

describe('formatDecision', () => {
  it('tells what went where, with bytes and time', () => {
    expect(formatDecision(allowed)).toBe('[egress] allowed api.github.com:443 (tls → 10.0.0.7): 1.5 KiB up, 40 KiB down, 120 ms');
  });

  it('says why something was refused and how to allow it', () => {
    expect(formatDecision(denied)).toBe(
      '[egress] DENIED lookup of registry.npmjs.org: not in the allowlist — to allow it, add "registry.npmjs.org" to mcpServers.web.network.allow',
    );
    expect(
      formatDecision({ ...base, via: 'tls', allowed: false, reason: 'port_not_allowed', host: 'api.github.com', port: 8443 }),
    ).toContain('add "api.github.com:8443"');
    expect(
      formatDecision({
        ...base,
        via: 'tls',
        allowed: false,
        reason: 'address_metadata',
        host: 'evil.example',
        port: 443,
        address: '169.254.169.254',
      }),
    ).toBe('[egress] DENIED evil.example:443 (tls → 169.254.169.254): resolves to a cloud metadata address');
  });
});

describe('egressReporter', () => {
  function sinks() {
    const lines: string[] = [];
    const logged: string[] = [];
    const audited: AuditRecord[] = [];
    const reporter = egressReporter({
      log: createLogger({ level: 'debug', sink: (l) => logged.push(l) }),
      console: (sessionId, server, line) => lines.push(`${sessionId}/${server}: ${line}`),
      audit: async (entry) => void audited.push(entry),
      owner: async () => 'alice',
      isInternal: (sessionId) => sessionId === 'pool',
    });
    return { lines, logged, audited, reporter };
  }

  it('puts connections and refusals in the console and the audit stream', async () => {
    const { lines, audited, reporter } = sinks();
    reporter(allowed);
    reporter(denied);
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines).toEqual([`s1/web: ${formatDecision(allowed)}`, `s1/web: ${formatDecision(denied)}`]);
    expect(audited).toEqual([
      expect.objectContaining({
        kind: 'egress',
        sessionId: 's1',
        user: 'alice',
        server: 'web',
        host: 'api.github.com',
        port: 443,
        allowed: true,
        bytesUp: 1536,
        bytesDown: 40_960,
        durationMs: 120,
      }),
      expect.objectContaining({ kind: 'egress', host: 'registry.npmjs.org', allowed: false, reason: 'not_allowed', via: 'dns' }),
    ]);
  });

  it('keeps allowed lookups and the warm pool’s decisions to the daemon log', async () => {
    const { lines, audited, logged, reporter } = sinks();
    reporter({ ...base, via: 'dns', allowed: true, reason: 'allowed', host: 'api.github.com' });
    reporter({ ...allowed, sessionId: 'pool' });
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines).toEqual([]);
    expect(audited).toEqual([]);
    expect(logged).toHaveLength(2);
  });
});
