import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import type { QuestionAnswerInput } from '../../../src/protocol/questions.js';
import type { SamplingAsk } from '../../../src/protocol/sampling.js';
import { SamplingPrompt } from '../../../tui/chat/questions/SamplingPrompt.js';
import { plain, press, waitForFrame } from './helpers.js';

const ask: SamplingAsk = {
  kind: 'sampling',
  phase: 'request',
  model: 'gemini-2.5-flash',
  decisionReason: 'no sampling rule matches this server; sampling asks unless a policy allows it',
  budget: { used: 0 },
  request: {
    systemPrompt: 'You are a helpful test server.',
    messages: [{ role: 'user', parts: [{ type: 'text', text: 'Write a haiku\u001b]52;c;eA==\u0007 about walls' }] }],
    maxTokens: 100,
    temperature: 0.7,
  },
};

describe('SamplingPrompt', () => {
  it('shows the server, the system prompt, every message (made inert), the limits and why it asks', () => {
    const { lastFrame } = render(<SamplingPrompt server="everything" ask={ask} onAnswer={() => undefined} queued={1} />);
    const raw = lastFrame() ?? '';
    const frame = plain(raw);
    expect(frame).toContain('A server asks the model to write (sampling)');
    expect(frame).toContain('(1 more waiting)');
    expect(frame).toMatch(/server everything/);
    expect(frame).toContain('You are a helpful test server.');
    expect(frame).toContain('Write a haiku␛]52;c;eA==␇ about walls');
    expect(raw).not.toContain('\u001b]52');
    expect(frame).toContain('maxTokens 100, temperature 0.7');
    expect(frame).toContain('no sampling rule matches this server');
    expect(frame).toContain('[y] send this to the model');
    expect(frame).toContain('[n] decline');
  });

  it("at the second checkpoint shows the model's answer; y returns it, n declines with a reason", async () => {
    const answers: QuestionAnswerInput[] = [];
    const result = {
      ...ask,
      phase: 'result' as const,
      result: { text: 'Glass walls', model: 'gemini-2.5-flash', stopReason: 'endTurn', tokens: 12 },
    };
    const yes = render(<SamplingPrompt server="everything" ask={result} onAnswer={(a) => answers.push(a)} />);
    expect(plain(yes.lastFrame())).toContain('Glass walls');
    expect(plain(yes.lastFrame())).toContain('[y] return this answer to the server');
    await press(yes, 'y');
    const no = render(<SamplingPrompt server="everything" ask={result} onAnswer={(a) => answers.push(a)} />);
    await press(no, 'n');
    await waitForFrame(no, 'Tell the server why');
    await press(no, 'too long');
    await press(no, '\r');
    expect(answers).toEqual([
      { kind: 'sampling', decision: 'approve' },
      { kind: 'sampling', decision: 'deny', reason: 'too long' },
    ]);
  });
});
