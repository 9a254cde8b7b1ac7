import { describe, expect, it } from 'vitest';
import { daemonSettingsSchema } from '../../../src/config/settings.js';
import { assertServerAllowed, assertUnderQuota, limitsFor, serverAllowed, serverRefusal } from '../../../src/config/user-limits.js';

const settings = daemonSettingsSchema.parse({
  users: {
    bob: { servers: ['testsrv', 'mem*'], maxContainers: 2 },
    carol: { maxSessions: 1 },
    alice: { servers: ['fs'] },
  },
  userDefaults: { maxPendingQuestions: 5 },
});

describe('per-user limits', () => {
  it('have documented defaults when nothing is configured', () => {
    const bare = daemonSettingsSchema.parse({});
    expect(limitsFor(bare, 'dave')).toMatchObject({
      servers: ['*'],
      maxSessions: 20,
      maxContainers: 16,
      maxPendingQuestions: 20,
      source: 'daemon.userDefaults',
    });
  });

  it('take a listed user’s keys over the defaults, key by key', () => {
    expect(limitsFor(settings, 'bob')).toMatchObject({
      servers: ['testsrv', 'mem*'],
      maxContainers: 2,
      maxSessions: 20,
      maxPendingQuestions: 5,
      source: 'daemon.users.bob',
    });
    expect(limitsFor(settings, 'carol')).toMatchObject({ servers: ['*'], maxSessions: 1 });
  });

  it('leave the daemon owner unlimited unless listed', () => {
    const owner = limitsFor(settings, 'root', 'root');
    expect(owner.maxContainers).toBe(Infinity);
    expect(serverAllowed(owner, 'anything')).toBe(true);
    // Listed, the owner is limited like anyone else.
    expect(limitsFor(settings, 'alice', 'alice')).toMatchObject({ servers: ['fs'], maxContainers: 16 });
  });

  it('does not read inherited keys as users', () => {
    expect(limitsFor(settings, 'constructor').source).toBe('daemon.userDefaults');
    expect(limitsFor(settings, '__proto__').source).toBe('daemon.userDefaults');
  });

  it('matches server allowlists by name or glob, and says which key refused', () => {
    const bob = limitsFor(settings, 'bob');
    expect(serverAllowed(bob, 'testsrv')).toBe(true);
    expect(serverAllowed(bob, 'memory')).toBe(true);
    expect(serverAllowed(bob, 'filesystem')).toBe(false);
    expect(serverRefusal(bob, 'filesystem')).toBe('user "bob" may not use server "filesystem" (not in daemon.users.bob.servers)');
    expect(() => assertServerAllowed(bob, 'filesystem')).toThrow(expect.objectContaining({ code: 'forbidden' }));
  });

  it('refuses at the quota with `capacity`, naming the limit and its config key', () => {
    const bob = limitsFor(settings, 'bob');
    expect(() => assertUnderQuota(bob, 'containers', 1)).not.toThrow();
    expect(() => assertUnderQuota(bob, 'containers', 2)).toThrow(
      expect.objectContaining({
        code: 'capacity',
        message: 'user "bob" is at the limit of 2 containers (daemon.users.bob.maxContainers; 2 in use)',
      }),
    );
    expect(() => assertUnderQuota(limitsFor(settings, 'carol'), 'sessions', 1)).toThrow(/daemon\.users\.carol\.maxSessions/);
    expect(() => assertUnderQuota(limitsFor(settings, 'dave'), 'questions', 5)).toThrow(/daemon\.userDefaults\.maxPendingQuestions/);
  });

  it('rejects unknown keys and bad values in the config', () => {
    expect(() => daemonSettingsSchema.parse({ users: { bob: { maxContainer: 2 } } })).toThrow();
    expect(() => daemonSettingsSchema.parse({ users: { bob: { maxSessions: -1 } } })).toThrow();
    expect(() => daemonSettingsSchema.parse({ userDefaults: { servers: 'testsrv' } })).toThrow();
  });
});
