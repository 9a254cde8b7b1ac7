// @vitest-environment happy-dom
import { flushPromises, type VueWrapper } from '@vue/test-utils';
import { createPinia, setActivePinia, type Pinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mountChatPanel } from './chat-panel.js';
import { FakeLog, FakeSocket } from './fake-socket.js';

let pinia: Pinia;
let fake: FakeSocket;
let log: FakeLog;
let wrapper: VueWrapper | undefined;

async function panel(): Promise<VueWrapper> {
  wrapper = await mountChatPanel(pinia, fake, log);
  return wrapper;
}

beforeEach(() => {
  pinia = createPinia();
  setActivePinia(pinia);
  fake = new FakeSocket();
  log = new FakeLog();
});

afterEach(() => wrapper?.unmount());

describe('the message box', () => {
  it('sends on Enter, clears itself once mcpd took the message, and keeps shift+Enter for new lines', async () => {
    fake.handle('message', () => ({ messageId: 'm1', turnId: 't1' }));
    const w = await panel();
    const box = w.get('[data-testid=composer]');
    await box.setValue('first line');
    await box.trigger('keydown', { key: 'Enter', shiftKey: true });
    expect(fake.sent('message')).toEqual([]);
    await box.setValue('  list the files\n');
    await box.trigger('keydown', { key: 'Enter' });
    await flushPromises();
    expect(fake.sent('message')).toEqual([{ sessionId: 's_web', text: 'list the files' }]);
    expect((box.element as HTMLTextAreaElement).value).toBe('');
  });

  it('keeps the text and explains when the model is still busy', async () => {
    fake.handle('message', () => {
      throw Object.assign(new Error('a turn is already running in this session'), { code: 'busy' });
    });
    const w = await panel();
    await w.get('[data-testid=composer]').setValue('again');
    await w.get('form').trigger('submit');
    await flushPromises();
    expect((w.get('[data-testid=composer]').element as HTMLTextAreaElement).value).toBe('again');
    expect(w.text()).toContain('The model is still working on the last message: wait, or cancel it.');
  });

  it('offers Cancel while a turn runs, which sends agent:cancel', async () => {
    fake.handle('agent:cancel', () => ({ cancelled: true }));
    log.add('user:message', { messageId: 'm1', text: 'take your time', from: 'bob' });
    log.add('agent:thinking', { turnId: 't1', round: 0 });
    log.info = { busy: true };
    const w = await panel();
    await w.get('[data-testid=cancel-turn]').trigger('click');
    await flushPromises();
    expect(fake.sent('agent:cancel')).toEqual([{ sessionId: 's_web' }]);
    fake.push(log.add('agent:response', { turnId: 't1', delta: '', done: true, text: '[cancelled]' }));
    await flushPromises();
    expect(w.find('[data-testid=cancel-turn]').exists()).toBe(false);
  });

  it('is disabled while mcpd is away', async () => {
    const w = await panel();
    fake.drop();
    await flushPromises();
    expect(w.get('[data-testid=composer]').attributes('disabled')).toBeDefined();
    expect(w.get('[data-testid=composer]').attributes('placeholder')).toBe('Reconnecting to mcpd…');
  });
});
