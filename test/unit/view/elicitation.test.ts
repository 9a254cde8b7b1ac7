import { describe, expect, it } from 'vitest';
import type { ElicitationAsk } from '../../../src/protocol/elicitation.js';
import { answerableQuestions, applyEvents, createSessionView, type NoticeItem } from '../../../src/view/index.js';
import { EventLog } from './events.js';

const form: ElicitationAsk = {
  kind: 'elicitation',
  message: 'Your name?',
  mode: 'form',
  fields: [{ name: 'name', type: 'string', required: true }],
};
const link: ElicitationAsk = {
  kind: 'elicitation',
  message: 'Sign in',
  mode: 'url',
  elicitationId: 'e1',
  url: { href: 'https://auth.example.com/x', host: 'auth.example.com', secure: true },
};
const subject = { kind: 'server', server: 'everything', callId: 'c1' } as const;

describe('elicitation questions in the view', () => {
  it('are answerable while open, and leave one line under the server’s name, never the values', () => {
    const log = new EventLog();
    log.add('question:asked', { questionId: 'q1', subject, ask: form, expiresAt: 1 });
    const open = applyEvents(createSessionView('s_test'), log.events);
    expect(answerableQuestions(open).map((q) => q.questionId)).toEqual(['q1']);
    log.add('question:answered', {
      questionId: 'q1',
      subject,
      answer: { kind: 'elicitation', action: 'accept', content: { name: 'Ada' } },
      by: { kind: 'user', name: 'alice' },
    });
    const done = applyEvents(open, log.events);
    expect(done.questions).toEqual([]);
    const notice = done.items.at(-1) as NoticeItem;
    expect(notice).toMatchObject({ kind: 'notice', server: 'everything', text: 'asked for input: accepted by alice (1 field sent)' });
    expect(notice.text).not.toContain('Ada');
  });

  it('keep the URL of a link question as text in the transcript, and say when nobody answered', () => {
    const log = new EventLog();
    log.add('question:asked', { questionId: 'q2', subject: { kind: 'server', server: 'everything' }, ask: link, expiresAt: 1 });
    log.add('question:answered', {
      questionId: 'q2',
      subject: { kind: 'server', server: 'everything' },
      answer: { kind: 'elicitation', action: 'cancel' },
      by: { kind: 'timeout' },
    });
    const view = applyEvents(createSessionView('s_test'), log.events);
    expect(view.items.at(-1)).toMatchObject({ text: 'asked to open https://auth.example.com/x: cancelled (no answer in time)' });
  });
});
