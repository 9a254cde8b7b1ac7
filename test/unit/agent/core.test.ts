import type { Content } from '@google/genai';
import { describe, expect, it } from 'vitest';
import { expectValidHistory } from '../../helpers/history.js';
import { agentCore } from './harness.js';

describe('the agent core on the in-memory store', () => {
  it('approve: the call is asked about, runs once approved, and its output goes back to the model', async () => {
    const core = agentCore();
    const rec = await core.session();
    core.model.enqueue(
      { text: 'Let me echo.', calls: [{ id: 'c1', name: 'testsrv__echo', args: { message: 'hi' } }] },
      { text: 'It said hi.' },
    );
    const { done } = await core.send(rec, 'echo hi');
    const ask = await core.asked('c1');
    expect(ask).toMatchObject({
      subject: { kind: 'call', callId: 'c1', server: 'testsrv', tool: 'echo' },
      ask: { kind: 'tool_approval', args: { message: 'hi' }, annotations: { readOnlyHint: true }, decisionReason: expect.any(String) },
    });
    expect(await core.store.countQuestions([rec.id])).toEqual([1]);
    expect(await core.answer(ask.questionId, { decision: 'approve' })).toEqual({ applied: true });
    expect((await done).text).toBe('Let me echo.It said hi.');
    expect(core.model.responseTo('c1')).toEqual({ output: 'echo: hi' });
    expect(core.published.events.map((e) => e.type)).toEqual([
      'user:message',
      'agent:thinking',
      'agent:response',
      'question:asked',
      'question:answered',
      'tool:started',
      'tool:result',
      'agent:thinking',
      'agent:response',
      'agent:response',
    ]);
    expect(core.published.of('tool:result')).toEqual([expect.objectContaining({ callId: 'c1', ok: true, summary: 'echo: hi' })]);
    const audit = await core.store.readAudit({ owner: 'alice', count: 10 });
    expect(audit.map((a) => [a.kind, a.callId, a.decision ?? a.outcome])).toEqual([
      ['policy', 'c1', 'ask'],
      ['approval', 'c1', 'approve'],
      ['tool', 'c1', 'ok'],
    ]);
    expect(await core.store.countQuestions([rec.id])).toEqual([0]);
    expectValidHistory((await core.store.readHistory(rec.id)) as Content[]);
  });

  it('deny: nothing runs, and the model is told the reason', async () => {
    const core = agentCore();
    const rec = await core.session();
    core.model.enqueue({ calls: [{ id: 'd1', name: 'testsrv__echo', args: { message: 'x' } }] }, { text: 'Understood.' });
    const { done } = await core.send(rec, 'echo x');
    await core.answer((await core.asked('d1')).questionId, { decision: 'deny', scope: 'session', reason: '  not here ' });
    await done;
    expect(core.sandboxes.calls).toEqual([]);
    expect(core.published.of('tool:started')).toEqual([]);
    // A denial is for this call only, whatever scope was sent, and carries the trimmed reason.
    expect(core.published.of('question:answered')).toEqual([
      expect.objectContaining({ answer: { kind: 'tool_approval', decision: 'deny', scope: 'once', reason: 'not here' } }),
    ]);
    expect(core.model.responseTo('d1')).toEqual({ error: 'The user denied this call: not here' });
    expect(await core.store.sessionRules(rec.id)).toEqual([]);
  });

  it('expire: an approval nobody answers closes as expired and the call is denied', async () => {
    const core = agentCore({ questionTimeoutMs: 1 });
    const rec = await core.session();
    core.model.enqueue({ calls: [{ id: 'e1', name: 'testsrv__echo', args: { message: 'x' } }] }, { text: 'Nobody approved.' });
    const { done } = await core.send(rec, 'echo x');
    await done;
    expect(core.published.of('question:answered')).toEqual([
      expect.objectContaining({
        by: { kind: 'timeout' },
        answer: expect.objectContaining({ decision: 'deny', reason: 'the approval expired' }),
      }),
    ]);
    expect(core.model.responseTo('e1')).toEqual({ error: 'Not run: nobody approved this call before the approval expired.' });
    // A late answer learns the question is closed, and by whom.
    const late = await core.answer(core.published.of('question:asked')[0]!.questionId, { decision: 'approve' });
    expect(late).toEqual({ applied: false, by: 'expiry' });
  });

  it('cancel while a person is asked: the question closes, the turn ends, the history stays valid', async () => {
    const core = agentCore();
    const rec = await core.session();
    core.model.enqueue({ text: 'Checking.', calls: [{ id: 'k1', name: 'testsrv__echo', args: { message: 'x' } }] });
    const { done } = await core.send(rec, 'echo x');
    await core.asked('k1');
    expect(core.turns.isBusy(rec.id)).toBe(true);
    expect(await core.agent.cancel(rec.id)).toBe(true);
    expect((await done).text).toBe('Checking.\n[cancelled]');
    expect(core.turns.isBusy(rec.id)).toBe(false);
    expect(core.published.of('question:answered')).toEqual([
      expect.objectContaining({
        by: { kind: 'user', name: 'alice' },
        answer: expect.objectContaining({ reason: 'the turn was cancelled' }),
      }),
    ]);
    const history = (await core.store.readHistory(rec.id)) as Content[];
    expectValidHistory(history);
    expect(history.at(-1)?.parts?.[0]?.functionResponse).toMatchObject({ id: 'k1', response: { error: 'The user cancelled this call.' } });
    expect(await core.store.countQuestions([rec.id])).toEqual([0]);
  });

  it('cancel while the call runs: the sandbox call is aborted and reported as cancelled', async () => {
    const core = agentCore();
    const rec = await core.session('all');
    core.model.enqueue({ calls: [{ id: 's1', name: 'testsrv__sleep' }] });
    const { done } = await core.send(rec, 'sleep');
    await core.sandboxes.running('sleep');
    await core.agent.cancel(rec.id);
    expect((await done).text).toBe('[cancelled]');
    expect(core.published.of('tool:result')).toEqual([
      expect.objectContaining({ callId: 's1', ok: false, error: expect.objectContaining({ code: 'cancelled' }) }),
    ]);
    const history = (await core.store.readHistory(rec.id)) as Content[];
    expect(history.at(-1)?.parts?.[0]?.functionResponse).toMatchObject({ id: 's1', response: { error: 'The user cancelled this call.' } });
    expect((await core.store.readAudit({ owner: 'alice', count: 10 })).find((a) => a.kind === 'tool')).toMatchObject({
      outcome: 'cancelled',
    });
  });

  it('crash: a sandbox that dies mid-call is the call’s answer, and the loop goes on', async () => {
    const core = agentCore();
    const rec = await core.session('all');
    core.model.enqueue({ calls: [{ id: 'x1', name: 'testsrv__crash' }] }, { text: 'The tool crashed.' });
    const { done } = await core.send(rec, 'crash it');
    expect((await done).text).toBe('The tool crashed.');
    expect(core.model.responseTo('x1')).toEqual({ error: 'sandbox_crashed: "testsrv" exited with code 9' });
    expect(core.published.of('tool:result')).toEqual([
      expect.objectContaining({ ok: false, error: { code: 'sandbox_crashed', message: '"testsrv" exited with code 9' } }),
    ]);
  });

  it('parallel calls: each is asked and answered on its own, every response matches its call', async () => {
    const core = agentCore();
    const rec = await core.session();
    core.model.enqueue(
      {
        calls: [
          { id: 'p1', name: 'testsrv__echo', args: { message: 'one' } },
          { id: 'p2', name: 'testsrv__echo', args: { message: 'two' } },
          { id: 'p3', name: 'testsrv__nope' },
        ],
      },
      { text: 'Both done.' },
    );
    const { done } = await core.send(rec, 'both');
    const [one, two] = await Promise.all([core.asked('p1'), core.asked('p2')]);
    await core.answer(two.questionId, { decision: 'approve' });
    await core.answer(one.questionId, { decision: 'deny', reason: 'only two' });
    await done;
    expect(core.model.responseTo('p1')).toEqual({ error: 'The user denied this call: only two' });
    expect(core.model.responseTo('p2')).toEqual({ output: 'echo: two' });
    expect(core.model.responseTo('p3')).toEqual({ error: 'There is no tool named "testsrv__nope".' });
    expect(core.sandboxes.calls).toEqual([{ tool: 'echo', args: { message: 'two' } }]);
    expectValidHistory((await core.store.readHistory(rec.id)) as Content[]);
  });

  it('"always": approving for the session adds a rule, and the next call of that tool is not asked about', async () => {
    const core = agentCore();
    const rec = await core.session();
    core.model.enqueue(
      { calls: [{ id: 'a1', name: 'testsrv__echo', args: { message: 'one' } }] },
      { calls: [{ id: 'a2', name: 'testsrv__echo', args: { message: 'two' } }] },
      { text: 'Done.' },
    );
    const { done } = await core.send(rec, 'twice');
    await core.answer((await core.asked('a1')).questionId, { decision: 'approve', scope: 'session' });
    await done;
    expect(core.published.of('question:asked').map((e) => e.subject.callId)).toEqual(['a1']);
    expect(core.published.of('tool:decided')).toEqual([
      expect.objectContaining({
        callId: 'a2',
        decision: 'approve',
        by: { kind: 'policy', rule: expect.stringContaining('session rule 1') },
      }),
    ]);
    expect(core.model.responseTo('a2')).toEqual({ output: 'echo: two' });
    expect(await core.store.sessionRules(rec.id)).toHaveLength(1);
  });

  it('first answer wins: of two answers at once one applies, the other learns who was first', async () => {
    const core = agentCore();
    const rec = await core.session();
    core.model.enqueue({ calls: [{ id: 'f1', name: 'testsrv__echo', args: { message: 'race' } }] }, { text: 'done' });
    const { done } = await core.send(rec, 'race');
    const { questionId } = await core.asked('f1');
    const answers = await Promise.all([
      core.answer(questionId, { decision: 'approve' }),
      core.answer(questionId, { decision: 'deny', reason: 'too late' }),
    ]);
    expect(answers).toEqual([{ applied: true }, { applied: false, by: 'alice' }]);
    await done;
    expect(core.published.of('question:answered')).toHaveLength(1);
    expect(core.model.responseTo('f1')).toEqual({ output: 'echo: race' });
  });

  it('a question is its owner’s: another user cannot answer it, and a wrong kind of answer is refused', async () => {
    const core = agentCore();
    const rec = await core.session();
    core.model.enqueue({ calls: [{ id: 'o1', name: 'testsrv__echo', args: { message: 'x' } }] }, { text: 'ok' });
    const { done } = await core.send(rec, 'x');
    const { questionId } = await core.asked('o1');
    await expect(core.answer(questionId, { decision: 'approve' }, 'mallory')).rejects.toMatchObject({ code: 'not_found' });
    await expect(core.questions.answer('alice', { questionId, answer: { kind: 'elicitation' } as never })).rejects.toThrow();
    await core.answer(questionId, { decision: 'approve' });
    await done;
  });

  it('policy and headless runs decide without asking, and say so as tool:decided', async () => {
    const core = agentCore();
    const ro = await core.session({
      default: 'ask',
      rules: [
        { tool: 'sleep', decision: 'deny', message: 'No sleeping here.' },
        { annotations: { readOnlyHint: true }, decision: 'allow' },
      ],
    });
    core.model.enqueue(
      {
        calls: [
          { id: 'r1', name: 'testsrv__echo', args: { message: 'ro' } },
          { id: 'r2', name: 'testsrv__sleep' },
        ],
      },
      { text: 'ok' },
    );
    await (
      await core.send(ro, 'read-only')
    ).done;
    expect(core.published.of('tool:decided').map((e) => [e.callId, e.decision, e.by.kind])).toEqual([
      ['r1', 'approve', 'policy'],
      ['r2', 'deny', 'policy'],
    ]);
    expect(core.model.responseTo('r2')).toEqual({ error: 'Denied by policy: No sleeping here.' });

    const ask = await core.session();
    core.model.enqueue({ calls: [{ id: 'h1', name: 'testsrv__echo', args: { message: 'h' } }] }, { text: 'I could not.' });
    await (
      await core.send(ask, 'headless', true)
    ).done;
    expect(core.published.of('tool:decided').at(-1)).toMatchObject({ callId: 'h1', decision: 'deny', by: { kind: 'headless' } });
    expect(core.model.responseTo('h1')).toEqual({ error: expect.stringContaining('needs a human approval and the run is headless') });
    expect(core.published.of('question:asked')).toEqual([]);
  });

  it('a second message while a turn runs is refused as busy', async () => {
    const core = agentCore();
    const rec = await core.session();
    core.model.enqueue({ calls: [{ id: 'b1', name: 'testsrv__echo', args: { message: 'x' } }] }, { text: 'ok' });
    const { done } = await core.send(rec, 'first');
    await expect(core.agent.sendMessage('alice', rec, 'second')).rejects.toMatchObject({ code: 'busy' });
    await core.answer((await core.asked('b1')).questionId, { decision: 'approve' });
    await done;
  });

  it('crash of the daemon: recovery closes the interrupted calls and expires the questions nobody waits for', async () => {
    const core = agentCore();
    const rec = await core.session();
    // What a daemon that died mid-approval left behind: a model turn with a call, and its open question.
    await core.store.appendHistory(rec.id, [
      { role: 'user', parts: [{ text: 'echo' }] },
      { role: 'model', parts: [{ functionCall: { id: 'z1', name: 'testsrv__echo', args: {} } }] },
    ]);
    await core.store.putQuestion({
      questionId: 'q_orphan',
      sessionId: rec.id,
      owner: 'alice',
      subject: { kind: 'call', callId: 'z1', server: 'testsrv', tool: 'echo' },
      ask: { kind: 'tool_approval', args: {}, annotations: {}, decisionReason: 'default is ask' },
      createdAt: 1,
      expiresAt: 2,
    });
    expect(await core.agent.recover([rec.id])).toBe(1);
    expect(core.published.of('question:answered')).toEqual([
      expect.objectContaining({
        questionId: 'q_orphan',
        by: { kind: 'timeout' },
        answer: expect.objectContaining({ decision: 'deny', reason: 'the daemon restarted while this approval was pending' }),
      }),
    ]);
    expect(await core.store.countQuestions([rec.id])).toEqual([0]);
    const history = (await core.store.readHistory(rec.id)) as Content[];
    expectValidHistory(history);
    expect(history.at(-1)?.parts?.[0]?.functionResponse?.response).toEqual({ error: expect.stringContaining('daemon restarted') });
  });

  it('a direct call runs without asking, is audited, and is noted for the model’s next turn', async () => {
    const core = agentCore();
    const rec = await core.session();
    const result = await core.calls.callDirect('alice', rec, 'testsrv', 'echo', { message: 'by hand' });
    expect(result).toMatchObject({ ok: true, isError: false, text: 'echo: by hand' });
    expect(core.published.events.map((e) => e.type)).toEqual(['tool:started', 'tool:result']);
    expect(core.published.of('tool:started')).toEqual([expect.objectContaining({ origin: 'user', args: { message: 'by hand' } })]);
    expect(await core.store.takeNotes(rec.id)).toEqual([
      '[The user ran the tool testsrv/echo directly with arguments {"message":"by hand"}. Result:\necho: by hand]',
    ]);
    expect((await core.store.readAudit({ owner: 'alice', count: 10 })).map((a) => [a.kind, a.origin, a.outcome])).toEqual([
      ['tool', 'user', 'ok'],
    ]);
    await expect(core.calls.callDirect('alice', rec, 'testsrv', 'crash', {})).rejects.toMatchObject({ code: 'sandbox_crashed' });
    expect(await core.store.takeNotes(rec.id)).toEqual([]);
  });
});
