import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ChatApp } from '../../../tui/chat/ChatApp.js';
import { parseCommand } from '../../../tui/chat/commands.js';
import { applyCompletion, commonPrefix, complete, completionTarget } from '../../../tui/chat/completion.js';
import { ChatController } from '../../../tui/chat/controller.js';
import { completeUri } from '../../../tui/chat/uri-complete.js';
import { FakeDaemon } from './fake-daemon.js';
import { press, waitForFrame } from './helpers.js';

const controllers: ChatController[] = [];
afterEach(() => {
  for (const c of controllers.splice(0)) c.close();
});

describe('content commands: parsing', () => {
  it('reads resources, prompts, attach and log level commands', () => {
    expect(parseCommand('/resources')).toEqual({ ok: true, command: { name: 'resources', more: false } });
    expect(parseCommand('/resources everything more')).toEqual({
      ok: true,
      command: { name: 'resources', server: 'everything', more: true },
    });
    expect(parseCommand('/attach demo://x')).toEqual({ ok: true, command: { name: 'attach', uri: 'demo://x' } });
    expect(parseCommand('/read everything demo://x')).toEqual({
      ok: true,
      command: { name: 'read', server: 'everything', uri: 'demo://x' },
    });
    expect(parseCommand('/unsubscribe demo://x')).toEqual({ ok: true, command: { name: 'subscribe', on: false, uri: 'demo://x' } });
    expect(parseCommand('/loglevel everything WARNING')).toEqual({
      ok: true,
      command: { name: 'loglevel', server: 'everything', level: 'warning' },
    });
    expect(parseCommand('/prompt:everything/args-prompt city="New York" state=NY -- and be brief')).toEqual({
      ok: true,
      command: {
        name: 'prompt',
        server: 'everything',
        prompt: 'args-prompt',
        args: { city: 'New York', state: 'NY' },
        text: 'and be brief',
      },
    });
    expect(parseCommand('/prompt:simple-prompt')).toEqual({ ok: true, command: { name: 'prompt', prompt: 'simple-prompt', args: {} } });
  });

  it('explains mistakes', () => {
    expect(parseCommand('/loglevel everything loud')).toMatchObject({ ok: false, error: expect.stringContaining('usage: /loglevel') });
    expect(parseCommand('/attach')).toEqual({ ok: false, error: 'usage: /attach [SERVER] URI' });
    expect(parseCommand('/prompt:p city')).toMatchObject({ ok: false, error: expect.stringContaining('name=value') });
    expect(parseCommand('/prompt:')).toMatchObject({ ok: false, error: expect.stringContaining('usage: /prompt:NAME') });
  });
});

describe('tab completion', () => {
  it('finds what the last word is', () => {
    expect(completionTarget('/re')).toEqual({ kind: 'command', prefix: 're' });
    expect(completionTarget('/prompt:ar')).toEqual({ kind: 'prompt-name', prefix: 'ar' });
    expect(completionTarget('/prompt:args-prompt ci')).toEqual({ kind: 'argument-name', prompt: 'args-prompt', prefix: 'ci', given: [] });
    expect(completionTarget('/prompt:args-prompt state=NY city=L')).toEqual({
      kind: 'argument-value',
      prompt: 'args-prompt',
      argument: 'city',
      prefix: 'L',
      args: { state: 'NY' },
    });
    expect(completionTarget('hello')).toBeUndefined();
    expect(completionTarget('/prompt:p a=b -- text')).toBeUndefined();
    expect(completionTarget('/prompt:p a="New')).toBeUndefined();
    expect(completionTarget('/read demo://ci')).toEqual({ kind: 'uri', prefix: 'demo://ci' });
    expect(completionTarget('/attach ')).toEqual({ kind: 'uri', prefix: '' });
    expect(completionTarget('/unsubscribe everything demo://x')).toEqual({ kind: 'uri', server: 'everything', prefix: 'demo://x' });
    expect(completionTarget('/read a b c')).toBeUndefined();
  });

  it('a URI: one candidate fills it (a space only when it is whole); several fill their common prefix and list labels', () => {
    const target = { kind: 'uri' as const, prefix: 'demo://city/' };
    const value = (label: string, word: string, whole = true) => ({ word, whole, label });
    expect(completeUri('/read demo://city/', target, [value('France', 'demo://city/France/', false)])).toEqual({
      line: '/read demo://city/France/',
      choices: [],
    });
    expect(completeUri('/read demo://city/', target, [value('x', 'demo://city/x')])).toEqual({ line: '/read demo://city/x ', choices: [] });
    expect(
      completeUri('/read demo://city/', target, [value('Le Mans', 'demo://city/Le%20Mans'), value('Lyon', 'demo://city/Lyon')]),
    ).toEqual({ line: '/read demo://city/L', choices: ['Le Mans', 'Lyon'] });
    expect(completeUri('/read demo://city/', target, [value('elsewhere', 'demo://town/')])).toEqual({
      line: '/read demo://city/',
      choices: [],
    });
  });

  it('fills one candidate, or the common prefix of several; quotes a value with a space', () => {
    const target = completionTarget('/prompt:p city=L')!;
    expect(complete('/prompt:p city=L', target, ['Lyon'])).toEqual({ line: '/prompt:p city=Lyon ', choices: [] });
    expect(complete('/prompt:p city=L', target, ['London', 'Lonsdale'])).toEqual({
      line: '/prompt:p city=Lon',
      choices: ['London', 'Lonsdale'],
    });
    expect(applyCompletion('/prompt:p city=L', target, 'Los Angeles', true)).toBe('/prompt:p city="Los Angeles" ');
    expect(complete('/res', completionTarget('/res')!, ['resources', 'read'])).toEqual({ line: '/resources ', choices: [] });
    expect(commonPrefix(['abc', 'abd', 'ab'])).toBe('ab');
  });
});

describe('content commands in the chat', () => {
  async function openChat() {
    const daemon = new FakeDaemon();
    const session = daemon.addSession({ servers: [{ name: 'everything', state: 'running' }] });
    const controller = new ChatController({ connect: daemon.connect, create: { servers: ['everything'] }, retryDelayMs: () => 1 });
    controllers.push(controller);
    await controller.start({ kind: 'resume' });
    const app = render(<ChatApp controller={controller} />);
    return { daemon, sid: session.id, controller, app };
  }

  it('tab completes a prompt name and an argument value (from the server), and enter attaches the prompt and sends', async () => {
    const { daemon, sid, app } = await openChat();
    await press(app, '/prompt:ar');
    await press(app, '\t');
    await waitForFrame(app, '> /prompt:args-prompt');
    await press(app, 'ci');
    await press(app, '\t');
    await waitForFrame(app, '> /prompt:args-prompt city=');
    await press(app, 'Ly');
    await press(app, '\t');
    await waitForFrame(app, '> /prompt:args-prompt city=Lyon');
    expect(daemon.requestsNamed('completion:complete')).toEqual([
      { sessionId: sid, server: 'everything', ref: { type: 'prompt', name: 'args-prompt' }, argument: { name: 'city', value: 'Ly' } },
    ]);
    await press(app, '\r');
    await vi.waitFor(() => expect(daemon.requestsNamed('message')).toHaveLength(1));
    expect(daemon.requestsNamed('context:attach')).toEqual([
      { sessionId: sid, server: 'everything', source: { kind: 'prompt', name: 'args-prompt', args: { city: 'Lyon' } } },
    ]);
    expect(daemon.requestsNamed('message')).toEqual([
      expect.objectContaining({ sessionId: sid, text: 'Follow the "args-prompt" prompt of everything that I attached.' }),
    ]);
  });

  it('tab completes a resource template: its literal text, then each variable from the server, encoded; enter reads it', async () => {
    const { daemon, sid, app } = await openChat();
    await press(app, '/read demo://c');
    await press(app, '\t');
    await waitForFrame(app, '> /read demo://city/');
    await press(app, '\t');
    // Two countries: both are listed, the line stays.
    await waitForFrame(app, 'France  Italy');
    await press(app, 'I');
    await press(app, '\t');
    await waitForFrame(app, '> /read demo://city/Italy/');
    await press(app, 'Roma');
    await press(app, '\t');
    // The server's value holds a slash: it is encoded, so it cannot add a path segment.
    await waitForFrame(app, '> /read demo://city/Italy/Roma%2FCentro');
    expect(daemon.requestsNamed('completion:complete').at(-1)).toEqual({
      sessionId: sid,
      server: 'everything',
      ref: { type: 'resource', uri: 'demo://city/{country}/{city}' },
      argument: { name: 'city', value: 'Roma' },
      context: { country: 'Italy' },
    });
    await press(app, '\r');
    await waitForFrame(app, 'hello from the resource');
    expect(daemon.requestsNamed('resources:read')).toEqual([
      { sessionId: sid, server: 'everything', uri: 'demo://city/Italy/Roma%2FCentro' },
    ]);
  });

  it('/resources lists a page, /attach finds the server of a listed URI, and an update is told', async () => {
    const { daemon, sid, controller, app } = await openChat();
    await controller.submit('/resources');
    await waitForFrame(app, 'demo://doc/1');
    await waitForFrame(app, 'more with /resources more');
    await controller.submit('/attach demo://doc/1');
    await waitForFrame(app, 'Attached demo://doc/1 from everything (42 characters) to your next message.');
    expect(daemon.requestsNamed('context:attach')).toEqual([
      { sessionId: sid, server: 'everything', source: { kind: 'resource', uri: 'demo://doc/1' } },
    ]);
    daemon.emit(sid, 'server:changed', { server: 'everything', what: 'resource', uri: 'demo://doc/1' });
    await waitForFrame(app, 'everything: demo://doc/1 was updated');
  });
});
