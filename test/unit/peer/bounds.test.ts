import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { PeerBounds } from '../../../daemon/peer/bounds.js';

const who = { sessionId: 's1', server: 'everything' };

describe('PeerBounds', () => {
  it('allows one open request per server and session, and another once it is answered', () => {
    const bounds = new PeerBounds();
    const release = bounds.admit(who, 'elicitation/create', {});
    expect(() => bounds.admit(who, 'elicitation/create', {})).toThrow(McpError);
    expect(() => bounds.admit({ ...who, sessionId: 's2' }, 'elicitation/create', {})).not.toThrow();
    release();
    release();
    expect(() => bounds.admit(who, 'elicitation/create', {})).not.toThrow();
  });

  it('refuses params over the size cap and requests over the rate, telling the session once', () => {
    const told: string[] = [];
    const bounds = new PeerBounds(
      () => ({ maxOpen: 100, perMinute: 3, maxParamBytes: 100 }),
      (_who, reason) => told.push(reason),
    );
    expect(() => bounds.admit(who, 'sampling/createMessage', { text: 'x'.repeat(200) })).toThrow(/over the 100 B cap/);
    for (let i = 0; i < 3; i++) bounds.admit(who, 'sampling/createMessage', {});
    expect(() => bounds.admit(who, 'sampling/createMessage', {})).toThrow(/more than 3 requests/);
    expect(() => bounds.admit(who, 'sampling/createMessage', {})).toThrow(/more than 3 requests/);
    expect(told).toHaveLength(2);
  });
});
