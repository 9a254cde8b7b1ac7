import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { RequestGuard } from '../../../daemon/api/guards.js';

const req = (headers: Record<string, string>): IncomingMessage => ({ headers }) as unknown as IncomingMessage;

describe('RequestGuard', () => {
  const guard = new RequestGuard(7450);
  it.each([
    [{ host: '127.0.0.1:7450' }, undefined],
    [{ host: 'localhost:7450' }, undefined],
    [{ host: '[::1]:7450' }, undefined],
    [{ host: 'LOCALHOST:7450' }, undefined],
    [{ host: '127.0.0.1:7450', origin: 'http://127.0.0.1:7450' }, undefined],
    [{ host: '127.0.0.1:7450', origin: 'http://localhost:7450' }, undefined],
    [{ host: 'evil.example:7450' }, 421],
    [{ host: '127.0.0.1:80' }, 421],
    [{}, 421],
    [{ host: '127.0.0.1:7450', origin: 'http://evil.example' }, 403],
    [{ host: '127.0.0.1:7450', origin: 'https://127.0.0.1:7450' }, 403],
    [{ host: '127.0.0.1:7450', origin: 'null' }, 403],
    [{ host: '127.0.0.1:7450', origin: 'http://127.0.0.1:7451' }, 403],
  ])('%j → %s', (headers, status) => {
    expect(guard.check(req(headers))?.status).toBe(status);
  });

  it('accepts a configured non-loopback host only when told to', () => {
    expect(new RequestGuard(80, ['10.0.0.5']).check(req({ host: '10.0.0.5:80' }))).toBeUndefined();
    expect(guard.check(req({ host: '10.0.0.5:7450' }))?.status).toBe(421);
  });
});
