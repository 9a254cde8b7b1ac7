import { describe, expect, it } from 'vitest';
import { applyEvents, createSessionView } from '../../../src/view/index.js';
import { advanceTranscript, emptyTranscript, liveText, type Note } from '../../../tui/chat/transcript.js';
import { EventLog, turnWithApprovedCall } from '../view/events.js';

const note = (id: number, position: number): Note => ({ id, tone: 'info', text: `note ${id}`, position });
const keys = (t: ReturnType<typeof emptyTranscript>): string[] => t.entries.map((e) => e.key);

describe('advanceTranscript', () => {
  it('prints settled items once, in order, and keeps notes where they were made', () => {
    const log = new EventLog();
    turnWithApprovedCall(log);
    const view = applyEvents(createSessionView('s_test'), log.events);
    const t = advanceTranscript(emptyTranscript(1), { epoch: 1, items: view.items, notes: [note(1, 0), note(2, 4)], showOutput: true });
    expect(keys(t)).toEqual([
      'note:1',
      'user:m1',
      expect.stringMatching(/^text:t1:/),
      'call:c1',
      expect.stringMatching(/^text:t1:/),
      'note:2',
    ]);
    expect(advanceTranscript(t, { epoch: 1, items: view.items, notes: [note(1, 0), note(2, 4)], showOutput: true })).toBe(t);
  });

  it('holds an open call (and what follows it) live, but prints a new note above it', () => {
    const log = new EventLog();
    turnWithApprovedCall(log);
    const upToPrompt = log.events.findIndex((e) => e.type === 'question:asked') + 1;
    const view = applyEvents(createSessionView('s_test'), log.events.slice(0, upToPrompt));
    const t = advanceTranscript(emptyTranscript(1), { epoch: 1, items: view.items, notes: [note(1, 3)], showOutput: true });
    expect(keys(t)).toEqual(['user:m1', expect.stringMatching(/^text:t1:/), 'note:1']);
    expect(t.items).toBe(2);
  });

  it('prints the settled paragraphs of streaming text and leaves the rest live', () => {
    const log = new EventLog();
    log.add('user:message', { messageId: 'm1', text: 'hi', from: 'alice' });
    log.add('agent:response', { turnId: 't1', delta: 'First paragraph.\n\nSecond, still', done: false });
    let view = applyEvents(createSessionView('s_test'), log.events);
    let t = advanceTranscript(emptyTranscript(1), { epoch: 1, items: view.items, notes: [], showOutput: true });
    expect(t.entries.at(-1)).toMatchObject({ kind: 'item', text: 'First paragraph.\n\n', continued: false });
    expect(liveText(t, view.items[1]!)).toEqual({ text: 'Second, still', continued: true });
    log.add('agent:response', { turnId: 't1', delta: ' going.', done: false });
    log.add('agent:response', { turnId: 't1', delta: '', done: true, text: 'First paragraph.\n\nSecond, still going.' });
    view = applyEvents(view, log.events);
    t = advanceTranscript(t, { epoch: 1, items: view.items, notes: [], showOutput: true });
    expect(t.entries.at(-1)).toMatchObject({ kind: 'item', text: 'Second, still going.', continued: true });
    expect(t.entries.filter((e) => e.kind === 'item' && e.item.kind === 'assistant')).toHaveLength(2);
  });

  it('starts over for another session (a new epoch)', () => {
    const t = advanceTranscript(emptyTranscript(1), { epoch: 1, items: [], notes: [note(1, 0)], showOutput: true });
    expect(advanceTranscript(t, { epoch: 2, items: [], notes: [note(2, 0)], showOutput: true }).entries.map((e) => e.key)).toEqual([
      'note:2',
    ]);
  });
});
