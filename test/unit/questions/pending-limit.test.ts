import { describe, expect, it } from 'vitest';
import { QuestionService } from '../../../daemon/questions/service.js';
import { SessionEventLog } from '../../../daemon/sessions/event-log.js';
import { MemoryStore } from '../../../daemon/store/memory.js';
import { daemonSettingsSchema } from '../../../src/config/settings.js';
import { limitsFor } from '../../../src/config/user-limits.js';
import type { ToolApprovalAsk } from '../../../src/protocol/questions.js';

const ask: ToolApprovalAsk = { kind: 'tool_approval', args: {}, annotations: {}, decisionReason: 'default is ask' };
const settings = daemonSettingsSchema.parse({ users: { alice: { maxPendingQuestions: 2 } } });

function service() {
  const store = new MemoryStore();
  const questions = new QuestionService({
    store,
    events: new SessionEventLog(store, () => undefined),
    timeoutMs: 60_000,
    limits: (user) => limitsFor(settings, user),
  });
  const signal = new AbortController().signal;
  const askAs = (user: string, n: number) =>
    questions.ask(user, `s_${user}`, { kind: 'call', callId: `c${n}`, server: 'testsrv', tool: 'echo' }, ask, signal);
  return { questions, askAs };
}

describe('pending questions per user', () => {
  it('refuses a question past the user’s cap with `capacity`, leaves other users alone, and frees a slot on answer', async () => {
    const { questions, askAs } = service();
    const first = await askAs('alice', 1);
    await askAs('alice', 2);
    await expect(askAs('alice', 3)).rejects.toMatchObject({
      code: 'capacity',
      message: 'user "alice" is at the limit of 2 pending questions (daemon.users.alice.maxPendingQuestions; 2 in use)',
    });
    // Nothing was persisted for the refused one.
    expect(questions.pendingFor('alice')).toBe(2);
    await askAs('bob', 4);
    expect(questions.pendingFor('bob')).toBe(1);
    await questions.answer('alice', { questionId: first.questionId, answer: { kind: 'tool_approval', decision: 'deny' } });
    expect((await first.answered).how).toBe('answered');
    await expect(askAs('alice', 5)).resolves.toMatchObject({ questionId: expect.any(String) });
  });
});
