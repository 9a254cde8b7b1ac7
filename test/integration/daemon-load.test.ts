import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, type TestDaemon } from '../helpers/daemon.js';
import { containersBesidesStandbys } from '../helpers/docker.js';
import { runLoad } from '../helpers/load.js';

let t: TestDaemon;

beforeAll(async () => {
  t = await startTestDaemon();
});

afterAll(async () => {
  await t?.stop();
});

describe('many sessions at once', () => {
  it.each([5, 25, 50])('%i concurrent sessions from separate clients: zero cross-talk, no container left running', async (n) => {
    const result = await runLoad(() => t.client(), n, 10);
    expect(result.errors).toEqual([]);
    expect(result.calls).toBe(n * 10);
    expect(result.crossTalk).toBe(0);
    // What may stay is the standby of the server they used: created, never started, for the next session.
    expect(await containersBesidesStandbys(t.daemon.instance)).toEqual([]);
  });
});
