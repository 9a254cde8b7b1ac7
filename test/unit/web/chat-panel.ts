import { flushPromises, mount, type VueWrapper } from '@vue/test-utils';
import type { Pinia } from 'pinia';
import ChatPanel from '../../../web/src/components/ChatPanel.vue';
import { useChat } from '../../../web/src/stores/chat.js';
import { useConnection } from '../../../web/src/stores/connection.js';
import type { FakeLog, FakeSocket } from './fake-socket.js';

/** A connected page with session s_web open (its log served by `fake`), showing the chat panel. */
export async function mountChatPanel(pinia: Pinia, fake: FakeSocket, log: FakeLog): Promise<VueWrapper> {
  log.serve(fake);
  useConnection().start('mcpgw_test-token-0123456789', () => fake.socket);
  fake.accept();
  await flushPromises();
  await useChat().open('s_web');
  const wrapper = mount(ChatPanel, { global: { plugins: [pinia] } });
  await flushPromises();
  return wrapper;
}
