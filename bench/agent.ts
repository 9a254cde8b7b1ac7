import { createGeminiModelClient, type ModelClient } from '../daemon/agent/model/index.js';
import type { SessionEvent } from '../src/protocol/events.js';
import { startFakeGemini } from '../test/fixtures/fake-gemini/index.js';
import { startTestDaemon } from '../test/helpers/daemon.js';
import { EventRecorder } from '../test/helpers/events.js';
import { rounded, summarize, type Summary } from './lib/stats.js';

/** Wraps a model client to add up the time spent inside the model's streams (so it can be excluded). */
function timed(inner: ModelClient): { client: ModelClient; spentMs: () => number } {
  let spent = 0;
  return {
    spentMs: () => spent,
    client: {
      async *stream(request) {
        const t0 = performance.now();
        try {
          yield* inner.stream(request);
        } finally {
          spent += performance.now() - t0;
        }
      },
    },
  };
}

/**
 * Approval round trip (the client sees question:asked → answers → sees question:answered), and the
 * loop's own overhead per round with the model's and the tool's time excluded.
 */
export async function agentLoop(turns: number): Promise<{ approvalRoundTrip: Summary; loopOverheadPerRound: Summary }> {
  const fake = await startFakeGemini();
  const model = timed(createGeminiModelClient({ apiKey: 'bench', baseUrl: fake.baseUrl }));
  const t = await startTestDaemon({ model: model.client });
  const client = await t.client();
  const session = await client.request('session:create', { servers: ['testsrv'] });
  const events = new EventRecorder(client);
  await client.request('session:attach', { sessionId: session.id });
  const approvals: number[] = [];
  const overheads: number[] = [];
  for (let i = 0; i < turns; i++) {
    fake.enqueue({ functionCalls: [{ name: 'testsrv__echo', args: { message: `t${i}` }, id: `call-${i}` }] }, { text: 'done' });
    const before = model.spentMs();
    const t0 = performance.now();
    const { turnId } = await client.request('message', { sessionId: session.id, text: `turn ${i}` });
    const ask = await events.waitFor<Extract<SessionEvent, { type: 'question:asked' }>>(
      (e) => e.type === 'question:asked' && e.subject.callId === `call-${i}`,
    );
    const a0 = performance.now();
    await client.request('question:answer', { questionId: ask.questionId, answer: { kind: 'tool_approval', decision: 'approve' } });
    await events.waitFor((e) => e.type === 'question:answered' && e.subject.callId === `call-${i}`);
    approvals.push(performance.now() - a0);
    const result = await events.waitFor<Extract<SessionEvent, { type: 'tool:result' }>>(
      (e) => e.type === 'tool:result' && e.callId === `call-${i}`,
    );
    await events.waitFor((e) => e.type === 'agent:response' && e.turnId === turnId && e.done);
    const total = performance.now() - t0;
    // Two rounds per turn: total minus model streaming, tool execution and the approval wait itself.
    overheads.push((total - (model.spentMs() - before) - result.durationMs - approvals.at(-1)!) / 2);
  }
  await t.stop();
  await fake.close();
  const approvalRoundTrip = rounded(summarize(approvals));
  const loopOverheadPerRound = rounded(summarize(overheads));
  process.stderr.write(`approval round trip p50 ${approvalRoundTrip.p50} ms; loop overhead per round p50 ${loopOverheadPerRound.p50} ms\n`);
  return { approvalRoundTrip, loopOverheadPerRound };
}
