import { describe, expect, it } from 'vitest';
import { acceptAnswer, answerForSilence } from '../../../daemon/questions/kinds.js';
import type { ElicitationAsk } from '../../../src/protocol/elicitation.js';

const form: ElicitationAsk = {
  kind: 'elicitation',
  message: 'who are you?',
  mode: 'form',
  fields: [
    { name: 'name', type: 'string', required: true, maxLength: 10 },
    { name: 'age', type: 'integer', required: false, minimum: 0 },
  ],
};
const url: ElicitationAsk = {
  kind: 'elicitation',
  message: 'sign in',
  mode: 'url',
  elicitationId: 'e1',
  url: { href: 'https://auth.example.com/', host: 'auth.example.com', secure: true },
};

describe('elicitation answers', () => {
  it('send an accepted form only when it fits, naming every problem otherwise', () => {
    expect(acceptAnswer(form, { kind: 'elicitation', action: 'accept', content: { name: 'Ada', age: 36 } })).toEqual({
      kind: 'elicitation',
      action: 'accept',
      content: { name: 'Ada', age: 36 },
    });
    expect(() => acceptAnswer(form, { kind: 'elicitation', action: 'accept', content: { age: -1 } })).toThrow(
      'the form does not fit: name is required; age must be at least 0',
    );
    expect(() => acceptAnswer(form, { kind: 'elicitation', action: 'accept', content: { name: 'Ada', pin: '1234' } })).toThrow(
      /pin is not a field of this form/,
    );
  });

  it('carry no content when declined or cancelled, and none for a URL', () => {
    expect(acceptAnswer(form, { kind: 'elicitation', action: 'decline', content: { name: 'Ada' } })).toEqual({
      kind: 'elicitation',
      action: 'decline',
    });
    expect(acceptAnswer(url, { kind: 'elicitation', action: 'accept' })).toEqual({ kind: 'elicitation', action: 'accept' });
    expect(() => acceptAnswer(url, { kind: 'elicitation', action: 'accept', content: { a: 'b' } })).toThrow(/without content/);
    expect(() => acceptAnswer(form, { kind: 'tool_approval', decision: 'approve' })).toThrow(/asks for a elicitation answer/);
  });

  it('mean "cancel" when nobody answers', () => {
    for (const why of ['expired', 'cancelled', 'restarted'] as const)
      expect(answerForSilence(form, why)).toEqual({ kind: 'elicitation', action: 'cancel' });
  });
});
