import { describe, expect, it } from 'vitest';
import { annotationClaims, callName, describeDecider, formatElapsed, loosenedMarker } from '../../../src/view/format.js';

describe('view formatting', () => {
  it('marks what mcpd runs loosened: the first item, how many more, one safe line', () => {
    expect(loosenedMarker(undefined)).toBeUndefined();
    expect(loosenedMarker([])).toBeUndefined();
    expect(loosenedMarker(['network bridge'])).toBe('LOOSENED: network bridge');
    expect(loosenedMarker(['network bridge', 'no limits', 'test egress'])).toBe('LOOSENED: network bridge (+2)');
    // What comes over the wire is checked: no control character reaches a terminal, nothing starts a line of its own.
    expect(loosenedMarker(['\u001b[2Jlimits\nOK'])).toBe('LOOSENED: ␛[2Jlimits⏎OK');
    expect(loosenedMarker('network bridge')).toBeUndefined();
    expect(loosenedMarker([42, '', 'writable mount /data'])).toBe('LOOSENED: writable mount /data');
    const long = loosenedMarker(['x'.repeat(300), 'y']);
    expect(long).toBe(`LOOSENED: ${'x'.repeat(99)}… (+1)`);
  });

  it('presents annotations as the server’s claims, in words', () => {
    expect(annotationClaims({ readOnlyHint: true, idempotentHint: true, openWorldHint: false })).toEqual([
      'read-only',
      'idempotent',
      'closed world',
    ]);
    expect(annotationClaims({ destructiveHint: true, title: 'Delete file' })).toEqual(['title "Delete file"', 'destructive']);
    expect(annotationClaims({ readOnlyHint: 'yes' })).toEqual([]);
  });

  it('names who decided', () => {
    expect(describeDecider({ kind: 'user', name: 'alice' }, 'alice')).toBe('you');
    expect(describeDecider({ kind: 'user', name: 'bob' }, 'alice')).toBe('bob');
    expect(describeDecider({ kind: 'policy', rule: 'read-only' })).toBe('policy (read-only)');
    expect(describeDecider({ kind: 'timeout' })).toBe('expiry');
    expect(describeDecider({ kind: 'headless' })).toBe('headless run');
  });

  it('formats clocks in whole seconds', () => {
    expect([0, 999, 4_200, 125_000, 3 * 3600_000 + 7 * 60_000, -5].map(formatElapsed)).toEqual([
      '0s',
      '0s',
      '4s',
      '2m 05s',
      '3h 07m',
      '0s',
    ]);
  });

  it('names a call, even before its tool is known', () => {
    expect(callName({ server: 'testsrv', tool: 'echo' })).toBe('testsrv.echo');
    expect(callName({ server: '', tool: '' })).toBe('a tool call');
  });
});
