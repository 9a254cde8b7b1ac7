import { describe, expect, it } from 'vitest';
import { statusText } from '../../../cli/client/daemon.js';
import { testEgressCheck } from '../../../cli/local/doctor.js';
import { testEgressFrom, testEgressWarning } from '../../../daemon/egress/test-override.js';
import { statusReporter } from '../../../daemon/status.js';

// MCPGW_TEST_EGRESS loosens what sandboxes may reach (a test's network, resolvers and private range): wherever it is
// in force, `daemon status` and `doctor` say so in a line of its own.

const SETTINGS = { networks: ['mcpgw-test-lab'], resolvers: ['172.30.0.53'], exempt: ['172.30.0.0/24'] };
const ENV = { MCPGW_TEST_EGRESS: JSON.stringify(SETTINGS) };

/** A daemon's status as the reporter builds it, with or without loosenings. */
function reporter(loosened?: string[]) {
  return statusReporter({
    store: { listSessions: () => Promise.resolve([]) },
    runtime: { stats: () => ({ running: 0, starting: 0, queued: 0, capacity: 8, pooled: 0, standby: 0, runtimes: {} }) },
    connection: { url: 'redis://127.0.0.1:6390', private: true, redis: { status: 'ready' } as never },
    startedAt: Date.now(),
    engine: () => Promise.resolve({ name: 'Docker', version: '20.10', endpoint: 'default' }),
    ...(loosened ? { loosened } : {}),
  });
}

/** The error reading `value` as the override throws (undefined when it is accepted). */
function refusal(value: string): unknown {
  try {
    testEgressFrom({ MCPGW_TEST_EGRESS: value });
    return undefined;
  } catch (err) {
    return err;
  }
}

describe('the test-only egress override', () => {
  it('is read from the environment: unset is nothing, the settings are parsed, anything else is a config error', () => {
    expect(testEgressFrom({})).toBeUndefined();
    expect(testEgressFrom(ENV)).toEqual(SETTINGS);
    expect(refusal('{networks')).toMatchObject({ code: 'config_invalid', message: 'MCPGW_TEST_EGRESS is not JSON' });
    expect(refusal('{"networks":"lab"}')).toMatchObject({
      code: 'config_invalid',
      message: expect.stringMatching(/^MCPGW_TEST_EGRESS: networks: /),
    });
    // An unknown key is refused rather than ignored: a typo must not leave a test believing it is isolated.
    expect(refusal('{"exempt":["10.0.0.0/8"],"open":true}')).toMatchObject({ code: 'config_invalid' });
  });

  it('is described in one line naming the network, resolvers and private range it lets in', () => {
    expect(testEgressWarning(SETTINGS)).toBe(
      "MCPGW_TEST_EGRESS is set (for mcpgw's own tests only): the egress gateway goes out through mcpgw-test-lab, " +
        'resolves with 172.30.0.53 and may reach the private range(s) 172.30.0.0/24',
    );
  });

  it('is shown by daemon status, right under its first line, while mcpd runs with it', async () => {
    const loosened = [testEgressWarning(SETTINGS)];
    const status = await reporter(loosened)('alice', 'http://127.0.0.1:7450');
    expect(status.loosened).toEqual(loosened);
    const lines = statusText(status).split('\n');
    expect(lines[1]).toBe(`LOOSENED: ${loosened[0]}`);
    expect(lines.filter((l) => l.startsWith('LOOSENED'))).toHaveLength(1);
  });

  it('leaves daemon status without such a line when nothing is loosened', async () => {
    const status = await reporter()('alice', 'http://127.0.0.1:7450');
    expect(status).not.toHaveProperty('loosened');
    const text = statusText(status);
    expect(text).toMatch(/^mcpd .* running at http:\/\/127\.0\.0\.1:7450/);
    expect(text).not.toContain('LOOSENED');
  });

  it('is a doctor warning wherever it is set, and a failure when mcpd would refuse its value', () => {
    expect(testEgressCheck({})).toBeUndefined();
    expect(testEgressCheck(ENV)).toEqual({
      name: 'test egress',
      status: 'warn',
      detail: `LOOSENED: ${testEgressWarning(SETTINGS)}`,
      fix: "unset MCPGW_TEST_EGRESS: it is for mcpgw's own e2e tests",
    });
    expect(testEgressCheck({ MCPGW_TEST_EGRESS: 'yes' })).toMatchObject({
      status: 'fail',
      detail: 'MCPGW_TEST_EGRESS is not JSON; mcpd refuses to start with it',
    });
  });
});
