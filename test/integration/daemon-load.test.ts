import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, type TestDaemon } from '../helpers/daemon.js';
import { engine } from '../helpers/docker.js';
import { runLoad } from '../helpers/load.js';

let t: TestDaemon;

beforeAll(async () => {
  t = await startTestDaemon();
});

afterAll(async () => {
  await t?.stop();
});

describe('many sessions at once', () => {
  it.each([5, 25, 50])('%i concurrent sessions from separate clients: zero cross-talk, zero containers left', async (n) => {
    const result = await runLoad(() => t.client(), n, 10);
    expect(result.errors).toEqual([]);
    expect(result.calls).toBe(n * 10);
    expect(result.crossTalk).toBe(0);
    const left = (await engine.listManaged()).filter((c) => c.labels['mcpgw.instance'] === t.daemon.instance);
    expect(left).toEqual([]);
  });
});
