import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { ChatApp } from '../../../tui/chat/ChatApp.js';
import { ChatController } from '../../../tui/chat/controller.js';
import { FakeDaemon } from './fake-daemon.js';
import { plain, press, waitForFrame } from './helpers.js';

const controllers: ChatController[] = [];
afterEach(() => {
  for (const c of controllers.splice(0)) c.close();
});

/** A chat on a fake daemon with one session that already has a short history. */
async function openChat() {
  const daemon = new FakeDaemon();
  const session = daemon.addSession({ title: 'earlier chat' });
  daemon.emit(session.id, 'user:message', { messageId: 'm0', text: 'what is in /data?', from: 'alice' });
  daemon.emit(session.id, 'agent:thinking', { turnId: 't0', round: 1 });
  daemon.emit(session.id, 'agent:response', { turnId: 't0', delta: 'There is **one** file.', done: false });
  daemon.emit(session.id, 'agent:response', { turnId: 't0', delta: '', done: true, text: 'There is **one** file.' });
  const controller = new ChatController({ connect: daemon.connect, create: { servers: ['testsrv'] }, retryDelayMs: () => 1 });
  controllers.push(controller);
  await controller.start({ kind: 'resume' });
  const app = render(<ChatApp controller={controller} />);
  const sid = session.id;
  return { daemon, session, sid, controller, app };
}

/** Emits what the daemon sends when the model asks to call testsrv.echo and the policy asks a human. */
function askApproval(daemon: FakeDaemon, sid: string, approvalId = 'a1', callId = 'c1'): void {
  daemon.emit(sid, 'user:message', { messageId: `m_${approvalId}`, text: 'echo hi', from: 'alice' });
  daemon.emit(sid, 'agent:thinking', { turnId: 't1', round: 1 });
  daemon.emit(sid, 'question:asked', {
    questionId: approvalId,
    subject: { kind: 'call', callId, server: 'testsrv', tool: 'echo' },
    ask: {
      kind: 'tool_approval',
      args: { message: 'hi' },
      annotations: { readOnlyHint: true },
      decisionReason: 'no rule matched; default is ask',
    },
    expiresAt: Date.now() + 60_000,
  });
}

/** What the daemon sends when question `questionId` about call `callId` (testsrv.echo) is answered. */
function answered(
  daemon: FakeDaemon,
  sid: string,
  answer: { decision: 'approve' | 'deny'; reason?: string },
  by: string,
  questionId = 'a1',
  callId = 'c1',
): void {
  daemon.emit(sid, 'question:answered', {
    questionId,
    subject: { kind: 'call', callId, server: 'testsrv', tool: 'echo' },
    answer: { kind: 'tool_approval', scope: 'once', ...answer },
    by: { kind: 'user', name: by },
  });
}

describe('ChatApp', () => {
  it('resumes the latest session and shows its restored history, input and status bar', async () => {
    const { app, sid } = await openChat();
    const frame = await waitForFrame(app, 'connected');
    expect(frame).toContain(`Resumed session ${sid} “earlier chat”`);
    expect(frame).toContain('› what is in /data?');
    expect(frame).toContain('✦ There is one file.');
    expect(frame).toContain('── 4 earlier events restored ──');
    expect(frame).toContain('> Message Gemini, or /help');
    expect(frame).toMatch(new RegExp(`● connected\\s+${sid} "earlier chat"\\s+testsrv ○ stopped\\s+gemini-2.5-flash\\s+policy ask`));
  });

  it('sends what is typed as a message, then streams the answer with a spinner', async () => {
    const { app, daemon, sid } = await openChat();
    await press(app, 'list the files');
    await waitForFrame(app, '> list the files');
    await press(app, '\r');
    expect(daemon.requestsNamed('message')).toEqual([{ sessionId: sid, text: 'list the files' }]);
    daemon.emit(sid, 'user:message', { messageId: 'm1', text: 'list the files', from: 'alice' });
    daemon.emit(sid, 'agent:thinking', { turnId: 't1', round: 1 });
    await waitForFrame(app, /⠋|⠙|⠹|⠸|⠼|⠴|⠦|⠧|⠇|⠏/);
    expect(await waitForFrame(app, /Thinking… \d+s · esc to cancel/)).toContain('› list the files');
    daemon.emit(sid, 'agent:response', { turnId: 't1', delta: '## Files\n\nThere are ', done: false });
    let frame = await waitForFrame(app, 'There are');
    expect(frame).toContain('Answering…');
    expect(frame).toContain('Files');
    daemon.emit(sid, 'agent:response', { turnId: 't1', delta: 'two: `a.txt`, `b.txt`.', done: false });
    await waitForFrame(app, 'There are two: a.txt, b.txt.');
    daemon.emit(sid, 'agent:response', { turnId: 't1', delta: '', done: true, text: '## Files\n\nThere are two: `a.txt`, `b.txt`.' });
    frame = await waitForFrame(app, (f) => !f.includes('Answering…'));
    // Printed once: the settled heading is not drawn again when the rest of the text settles.
    expect(frame.match(/Files/g)).toHaveLength(1);
    expect(frame).toContain('There are two: a.txt, b.txt.');
  });

  it('asks for approval and answers y (once) and a (for the session)', async () => {
    const { app, daemon, sid } = await openChat();
    askApproval(daemon, sid);
    const frame = await waitForFrame(app, 'Allow this tool call?');
    expect(frame).toContain('server claims: read-only (unverified)');
    expect(frame).toContain('⚠ 1 approval pending');
    expect(frame).toContain('? testsrv.echo {"message":"hi"}  waiting for approval');
    await press(app, 'y');
    expect(daemon.requestsNamed('question:answer')).toEqual([
      { questionId: 'a1', answer: { kind: 'tool_approval', decision: 'approve', scope: 'once' } },
    ]);
    answered(daemon, sid, { decision: 'approve' }, 'alice');
    await waitForFrame(app, (f) => !f.includes('Allow this tool call?') && f.includes('approved by you'));

    daemon.emit(sid, 'question:asked', {
      questionId: 'a2',
      subject: { kind: 'call', callId: 'c2', server: 'testsrv', tool: 'echo' },
      ask: { kind: 'tool_approval', args: { message: 'again' }, annotations: {}, decisionReason: 'no rule matched' },
      expiresAt: 0,
    });
    await waitForFrame(app, '"message": "again"');
    await press(app, 'a');
    expect(daemon.requestsNamed('question:answer').at(-1)).toEqual({
      questionId: 'a2',
      answer: { kind: 'tool_approval', decision: 'approve', scope: 'session' },
    });
  });

  it('n denies with a reason typed for the model', async () => {
    const { app, daemon, sid } = await openChat();
    askApproval(daemon, sid);
    await waitForFrame(app, 'Allow this tool call?');
    await press(app, 'n');
    await waitForFrame(app, 'Tell the model why');
    await press(app, 'not on my machine');
    await waitForFrame(app, 'reason> not on my machine');
    await press(app, '\r');
    expect(daemon.requestsNamed('question:answer')).toEqual([
      { questionId: 'a1', answer: { kind: 'tool_approval', decision: 'deny', scope: 'once', reason: 'not on my machine' } },
    ]);
    // The typed reason went to the prompt, not to the message input.
    expect(daemon.requestsNamed('message')).toEqual([]);
    answered(daemon, sid, { decision: 'deny', reason: 'not on my machine' }, 'alice');
    await waitForFrame(app, '⊘ testsrv.echo {"message":"hi"}  denied by you: not on my machine');
  });

  it('loses no key typed right after the screen changes, before React has run its effects', async () => {
    const { app, daemon, sid } = await openChat();
    askApproval(daemon, sid);
    await waitForFrame(app, 'Allow this tool call?');
    await press(app, 'n');
    // waitForFrame resolves as the new screen is written, before React's passive effects run (a later macrotask):
    // a listener that only moves to the reason input in an effect would miss these keys.
    await waitForFrame(app, 'reason> ');
    app.stdin.write('too risky');
    await waitForFrame(app, 'reason> too risky');
    app.stdin.write('\r');
    expect(daemon.requestsNamed('question:answer')).toEqual([
      { questionId: 'a1', answer: { kind: 'tool_approval', decision: 'deny', scope: 'once', reason: 'too risky' } },
    ]);
  });

  it('closes the prompt and says who answered when another client answers first', async () => {
    const { app, daemon, sid } = await openChat();
    askApproval(daemon, sid);
    await waitForFrame(app, 'Allow this tool call?');
    answered(daemon, sid, { decision: 'approve' }, 'bob');
    const frame = await waitForFrame(app, 'Answered in another client: bob approved testsrv.echo.');
    expect(frame).not.toContain('Allow this tool call?');
    expect(frame).not.toContain('approval pending');
  });

  it('says so when this client’s answer came too late', async () => {
    const { app, daemon, sid } = await openChat();
    daemon.approvalReply = { applied: false, by: 'bob' };
    askApproval(daemon, sid);
    await waitForFrame(app, 'Allow this tool call?');
    await press(app, 'y');
    await waitForFrame(app, 'Someone answered first: bob.');
  });

  it('shows live tool output and toggles the console with ctrl-o', async () => {
    const { app, daemon, sid } = await openChat();
    daemon.emit(sid, 'user:message', { messageId: 'm1', text: 'make noise', from: 'alice' });
    daemon.emit(sid, 'agent:thinking', { turnId: 't1', round: 1 });
    daemon.emit(sid, 'tool:decided', {
      callId: 'c1',
      server: 'testsrv',
      tool: 'echo',
      decision: 'approve',
      by: { kind: 'policy', rule: 'read-only' },
    });
    daemon.emit(sid, 'tool:started', { callId: 'c1', server: 'testsrv', tool: 'noisy', args: { lines: 2 }, origin: 'agent' });
    daemon.emit(sid, 'tool:output', { callId: 'c1', server: 'testsrv', stream: 'stderr', text: 'noise line 0' });
    daemon.emit(sid, 'tool:output', { callId: 'c1', server: 'testsrv', stream: 'progress', text: '1/2 step 1' });
    let frame = await waitForFrame(app, '⋯ 1/2 step 1');
    expect(frame).toContain('│ noise line 0');
    expect(frame).toContain('Running testsrv.noisy…');
    await press(app, '\x0f');
    frame = await waitForFrame(app, '▸ 2 lines of output · ctrl-o to show');
    expect(frame).not.toContain('noise line 0');
    await press(app, '\x0f');
    await waitForFrame(app, '│ noise line 0');
    daemon.emit(sid, 'tool:result', {
      callId: 'c1',
      server: 'testsrv',
      tool: 'noisy',
      ok: true,
      summary: 'survived the noise',
      durationMs: 25,
    });
    frame = await waitForFrame(app, '⎿ survived the noise');
    expect(frame).toContain('✓ testsrv.noisy {"lines":2}  ok · 25 ms');
  });

  it('reconnects by itself after mcpd restarts and replays the events it missed', async () => {
    const { app, daemon, sid, controller } = await openChat();
    await waitForFrame(app, '● connected');
    daemon.down = true;
    daemon.dropAll();
    let frame = await waitForFrame(app, /◌ reconnecting… \(attempt \d+\) mcpd (went away|is not running)/);
    expect(frame).toContain('There is one file.');
    // While the chat was away, the restarted daemon logged more of the session.
    daemon.emit(sid, 'user:message', { messageId: 'm9', text: 'typed in the browser', from: 'alice' });
    daemon.emit(sid, 'tool:output', {
      server: 'testsrv',
      stream: 'notice',
      text: 'sandbox "testsrv" exited with code 3; it restarts on next use',
    });
    daemon.startedAt = 2_000;
    daemon.down = false;
    frame = await waitForFrame(
      app,
      (f) => f.includes('Reconnected to mcpd (it restarted); 2 missed events replayed.') && f.includes('● connected'),
    );
    expect(frame).toContain('› typed in the browser');
    expect(frame).toContain('⚑ testsrv: sandbox "testsrv" exited with code 3');
    expect(daemon.requestsNamed('session:attach').at(-1)).toEqual({ sessionId: sid, sinceSeq: 4 });
    expect(controller.getSnapshot().view?.lastSeq).toBe(6);
  });

  it('shows what a restarted mcpd runs loosened in the status bar, and drops it when a later one runs locked down', async () => {
    const { app, daemon } = await openChat();
    expect(await waitForFrame(app, '● connected')).not.toContain('LOOSENED');
    const restart = (startedAt: number, loosened: string[] | undefined) => {
      daemon.down = true;
      daemon.dropAll();
      daemon.loosened = loosened;
      daemon.startedAt = startedAt;
      daemon.down = false;
    };
    restart(2_000, ['rootless Podman on cgroup v1 cannot apply limits', 'MCPGW_TEST_EGRESS is set']);
    const loose = await waitForFrame(app, (f) => f.includes('● connected') && f.includes('LOOSENED'));
    expect(loose).toMatch(/● connected\s+LOOSENED: rootless Podman on cgroup v1 cannot apply limits \(\+1\)/);
    restart(3_000, undefined);
    await waitForFrame(app, (f) => f.includes('● connected') && !f.includes('LOOSENED'));
  });

  it('runs slash commands: /sessions, /servers, /help, /log, /call, /switch, /new and reports mistakes', async () => {
    const { app, daemon, sid } = await openChat();
    const other = daemon.addSession({ title: 'another one', lastActive: 1 });
    daemon.emit(other.id, 'user:message', { messageId: 'mo', text: 'from the other session', from: 'alice' });
    await press(app, '/sessions\r');
    let frame = await waitForFrame(app, 'Your sessions (2)');
    expect(frame).toMatch(new RegExp(`●\\s+${sid}\\s+earlier chat\\s+active`));
    expect(frame).toContain(other.id);
    await press(app, '/servers\r');
    frame = await waitForFrame(app, 'Servers (3)');
    expect(frame).toMatch(/testsrv\s+stopped\s+none/);
    expect(frame).toMatch(/memory\s+not in this session/);
    expect(frame).toMatch(/git\s+unavailable\s+none\s+why: secret GIT_TOKEN is not set/);
    await press(app, '/help\r');
    frame = await waitForFrame(app, '/call SERVER TOOL {json}');
    expect(frame).toContain('ctrl-o');
    daemon.emit(sid, 'tool:output', { server: 'testsrv', stream: 'stderr', text: 'test server listening on stdio' });
    await press(app, '/log\r');
    frame = await waitForFrame(app, 'Sandbox output not tied to a call (last 1)');
    expect(frame).toMatch(/testsrv\s+stderr\s+test server listening on stdio/);
    await press(app, '/call testsrv echo {"message": "hi"}\r');
    expect(daemon.requestsNamed('tools:call')).toEqual([{ sessionId: sid, server: 'testsrv', tool: 'echo', args: { message: 'hi' } }]);
    await press(app, '/call testsrv echo {oops\r');
    await waitForFrame(app, 'the arguments of /call must be a JSON object');
    await press(app, '/frobnicate\r');
    await waitForFrame(app, 'unknown command /frobnicate (try /help)');
    await press(app, `/switch ${other.id.slice(0, 3)}\r`);
    frame = await waitForFrame(
      app,
      (f) => f.includes(`Switched to session ${other.id} “another one”`) && f.includes('── 1 earlier events restored ──'),
    );
    expect(frame).toContain('› from the other session');
    expect(daemon.requestsNamed('session:detach')).toEqual([{ sessionId: sid }]);
    await press(app, '/new\r');
    frame = await waitForFrame(app, /New session s_\dabc · servers: testsrv/);
    expect(daemon.requestsNamed('session:create')).toEqual([{ servers: ['testsrv'] }]);
    expect(plain(app.lastFrame())).toContain('● connected');
  });

  it('ctrl-c cancels a running turn; pressed twice it quits', async () => {
    const { app, daemon, sid, controller } = await openChat();
    daemon.emit(sid, 'user:message', { messageId: 'm1', text: 'long task', from: 'alice' });
    daemon.emit(sid, 'agent:thinking', { turnId: 't1', round: 1 });
    await waitForFrame(app, 'Thinking…');
    await press(app, '\x03');
    await waitForFrame(app, 'Cancelling the turn… press ctrl-c again to quit.');
    expect(daemon.requestsNamed('agent:cancel')).toEqual([{ sessionId: sid }]);
    // Another key in between: the next ctrl-c only arms again.
    await press(app, 'x');
    await waitForFrame(app, (f) => !f.includes('Cancelling the turn'));
    await press(app, '\x15');
    daemon.emit(sid, 'agent:response', { turnId: 't1', delta: '', done: true, text: '[cancelled]' });
    await waitForFrame(app, '✦ [cancelled]');
    await press(app, '\x03');
    await waitForFrame(app, 'Press ctrl-c again to quit (or type /quit).');
    expect(controller.getSnapshot().done).toBe(false);
    await press(app, '\x03');
    await controller.done;
    expect(controller.getSnapshot().done).toBe(true);
  });

  it('ctrl-c first clears typed text; /quit quits', async () => {
    const { app, controller } = await openChat();
    await press(app, 'half a thought');
    await waitForFrame(app, '> half a thought');
    await press(app, '\x03');
    await waitForFrame(app, '> Message Gemini, or /help');
    expect(controller.getSnapshot().hint).toBeUndefined();
    await press(app, '/quit\r');
    await controller.done;
  });
});
