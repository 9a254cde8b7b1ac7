import { afterEach, describe, expect, it, vi } from 'vitest';
import { ServerNotices } from '../../../daemon/peer/notices.js';
import { rootsOf } from '../../../daemon/peer/roots.js';
import { serverRequests } from '../../../daemon/peer/service.js';
import { peerCapabilities } from '../../../daemon/sandbox/peer.js';

afterEach(() => vi.useRealTimers());

const ctx = { sessionId: 's1', server: 'srv' };

describe('ServerNotices: list changes and resource updates become rate-limited session events', () => {
  it('repeats within the interval collapse into one trailing event; the warm pool is ignored', () => {
    vi.useFakeTimers();
    const sent: unknown[] = [];
    const notices = new ServerNotices(
      (id, c) => sent.push([id, c]),
      { intervalMs: 1000, perMinute: 100, maxPending: 5 },
      (id) => id === 'pool',
    );
    for (let i = 0; i < 50; i++) notices.notice(ctx, { kind: 'resources_changed' });
    notices.notice({ sessionId: 'pool', server: 'srv' }, { kind: 'prompts_changed' });
    expect(sent).toEqual([['s1', { server: 'srv', what: 'resources' }]]);
    vi.advanceTimersByTime(1000);
    expect(sent).toHaveLength(2);
    vi.advanceTimersByTime(5000);
    expect(sent).toHaveLength(2);
  });

  it('a server flooding distinct URIs costs at most perMinute events, and few pending timers', () => {
    vi.useFakeTimers();
    const sent: unknown[] = [];
    const notices = new ServerNotices((_, c) => sent.push(c), { intervalMs: 1000, perMinute: 10, maxPending: 3 });
    for (let i = 0; i < 1000; i++) notices.notice(ctx, { kind: 'resource_updated', uri: `x://${i}` });
    expect(sent).toHaveLength(10);
    for (let i = 0; i < 1000; i++) notices.notice(ctx, { kind: 'resource_updated', uri: `x://1` });
    vi.advanceTimersByTime(1000);
    expect(sent).toHaveLength(10); // the trailing one fell in a full minute
    vi.advanceTimersByTime(60_000);
    notices.notice(ctx, { kind: 'resource_updated', uri: `x://1` });
    expect(sent).toHaveLength(11);
    notices.close();
  });
});

describe('roots', () => {
  it('are the container paths of the mounts, as file:// URIs; none without mounts', () => {
    expect(
      rootsOf({
        mounts: [
          { source: '/home/u/notes', target: '/workspace', readOnly: true },
          { source: '/x', target: '/data/my dir', readOnly: false },
        ],
      }),
    ).toEqual({
      roots: [
        { uri: 'file:///workspace', name: 'workspace (read-only)' },
        { uri: 'file:///data/my%20dir', name: 'my dir' },
      ],
    });
    expect(rootsOf({ mounts: [] })).toEqual({ roots: [] });
    expect(rootsOf(undefined)).toEqual({ roots: [] });
  });

  it('serverRequests declares roots only when it can answer them', async () => {
    expect(peerCapabilities(serverRequests())).toEqual({});
    const peer = serverRequests({ serverNamed: () => ({ mounts: [{ source: '/a', target: '/a', readOnly: true }] }) });
    expect(peerCapabilities(peer)).toEqual({ roots: { listChanged: true } });
    expect(await peer.roots?.(ctx)).toEqual({ roots: [{ uri: 'file:///a', name: 'a (read-only)' }] });
  });
});
