// @vitest-environment happy-dom
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils';
import { createPinia, setActivePinia, type Pinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ServerSummary } from '../../../src/protocol/session.js';
import NewSessionForm from '../../../web/src/components/NewSessionForm.vue';
import { useConnection } from '../../../web/src/stores/connection.js';
import { useSessions } from '../../../web/src/stores/sessions.js';
import { sessionInfo } from '../view/events.js';
import { FakeSocket } from './fake-socket.js';

const SERVERS: ServerSummary[] = [
  { name: 'testsrv', image: 'build: ./test-server', network: 'none', disabled: false, available: true },
  { name: 'fetch', image: 'my/fetch:1', network: 'bridge', disabled: false, available: true, loosened: ['network bridge'] },
  { name: 'old', image: 'node base', network: 'none', disabled: true, available: true },
  { name: 'github', image: '-', network: 'none', disabled: false, available: false, reason: 'secret GITHUB_TOKEN is not set' },
];

let pinia: Pinia;
let fake: FakeSocket;
let wrapper: VueWrapper | undefined;

beforeEach(() => {
  pinia = createPinia();
  setActivePinia(pinia);
  fake = new FakeSocket().handle('servers:list', () => SERVERS).handle('session:create', () => sessionInfo({ id: 's_new' }));
});

afterEach(() => wrapper?.unmount());

async function form(): Promise<VueWrapper> {
  useSessions(); // loads the server catalog when the connection is up, as the sidebar does
  useConnection().start('mcpgw_test-token-0123456789', () => fake.socket);
  fake.accept();
  await flushPromises();
  wrapper = mount(NewSessionForm, { global: { plugins: [pinia] } });
  await flushPromises();
  return wrapper;
}

const ticked = (w: VueWrapper): string[] =>
  w
    .findAll<HTMLInputElement>('input[type=checkbox]:not([disabled])')
    .filter((c) => c.element.checked)
    .map((c) => c.element.value);

describe('the new-session form', () => {
  it('starts with every available, enabled server ticked and shows what each loosens', async () => {
    const w = await form();
    expect(ticked(w)).toEqual(['testsrv', 'fetch']);
    expect(w.get('[data-testid=loosened]').text()).toBe('network bridge');
    await w.get('[data-testid=create-session]').trigger('submit');
    await flushPromises();
    expect(fake.sent('session:create')).toEqual([{ servers: ['testsrv', 'fetch'] }]);
  });

  it('shows an unavailable server with its reason and never offers it', async () => {
    const w = await form();
    const row = w.get('[data-testid=unavailable-server]');
    expect(row.text()).toContain('github');
    expect(row.text()).toContain('unavailable: secret GITHUB_TOKEN is not set');
    expect(row.get('input').element.disabled).toBe(true);
  });

  it('keeps what the user unticked', async () => {
    const w = await form();
    const fetch = w.get<HTMLInputElement>('input[value=fetch]');
    await fetch.setValue(false);
    await fetch.trigger('change');
    await w.get('form').trigger('submit');
    await flushPromises();
    expect(fake.sent('session:create')).toEqual([{ servers: ['testsrv'] }]);
  });
});
