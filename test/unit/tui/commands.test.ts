import { describe, expect, it } from 'vitest';
import { parseCommand } from '../../../tui/chat/commands.js';

describe('parseCommand', () => {
  it('reads every command', () => {
    expect(
      ['/sessions', '/new', '/servers', '/cancel', '/console', '/log', '/help', '/quit', '/exit', '/HELP'].map((l) => parseCommand(l)),
    ).toEqual(
      ['sessions', 'new', 'servers', 'cancel', 'console', 'log', 'help', 'quit', 'quit', 'help'].map((name) => ({
        ok: true,
        command: { name },
      })),
    );
    expect(parseCommand('/switch s_ab')).toEqual({ ok: true, command: { name: 'switch', id: 's_ab' } });
    expect(parseCommand('/call testsrv echo {"message": "a b"}')).toEqual({
      ok: true,
      command: { name: 'call', server: 'testsrv', tool: 'echo', args: { message: 'a b' } },
    });
    expect(parseCommand('/call memory read_graph')).toEqual({
      ok: true,
      command: { name: 'call', server: 'memory', tool: 'read_graph', args: {} },
    });
  });

  it('explains mistakes', () => {
    expect(parseCommand('/switch')).toEqual({ ok: false, error: 'usage: /switch ID (see /sessions)' });
    expect(parseCommand('/call testsrv')).toMatchObject({ ok: false, error: expect.stringContaining('usage: /call SERVER TOOL') });
    expect(parseCommand('/call testsrv echo [1]')).toMatchObject({ ok: false, error: expect.stringContaining('must be a JSON object') });
    expect(parseCommand('/call testsrv echo {bad')).toMatchObject({ ok: false, error: expect.stringContaining('must be a JSON object') });
    expect(parseCommand('/nope')).toEqual({ ok: false, error: 'unknown command /nope (try /help)' });
  });
});
