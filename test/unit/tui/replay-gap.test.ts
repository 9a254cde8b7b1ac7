import { describe, expect, it } from 'vitest';
import { MAX_EARLY } from '../../../src/view/index.js';
import { ChatController } from '../../../tui/chat/controller.js';
import { FakeDaemon } from './fake-daemon.js';

describe('the chat and a log mcpd trimmed', () => {
  it('shows what is left of a long trimmed log at once and says that the start is gone', async () => {
    const daemon = new FakeDaemon();
    const session = daemon.addSession();
    const total = MAX_EARLY + 2000;
    for (let i = 1; i < total; i++) daemon.emit(session.id, 'agent:thinking', { turnId: 't1', round: i });
    daemon.emit(session.id, 'user:message', { messageId: 'm_last', text: 'the newest message', from: 'alice' });
    daemon.trim(session.id, 1000);
    const controller = new ChatController({ connect: daemon.connect, create: { servers: ['testsrv'] }, retryDelayMs: () => 1 });
    try {
      await controller.start({ kind: 'resume' });
      const { view, notes } = controller.getSnapshot();
      expect(view).toMatchObject({ lastSeq: total, skipped: 1000, early: [] });
      expect(view?.items.at(-1)).toMatchObject({ kind: 'user', text: 'the newest message' });
      expect(notes.map((n) => n.text)).toContain('The start of this session is no longer in the daemon’s log; older events are not shown.');
    } finally {
      controller.close();
    }
  });
});
