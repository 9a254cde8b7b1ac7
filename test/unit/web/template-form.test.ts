// @vitest-environment happy-dom
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils';
import { createPinia, setActivePinia, type Pinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import ContentPanel from '../../../web/src/components/ContentPanel.vue';
import { useChat } from '../../../web/src/stores/chat.js';
import { useConnection } from '../../../web/src/stores/connection.js';
import { FakeLog, FakeSocket } from './fake-socket.js';

const CITY = 'demo://city/{country}/{city}';
/** The server's values: countries, then the cities of the country filled in (one with a slash, one with markup). */
const CITIES: Record<string, string[]> = { France: ['Le Mans', 'Lyon'], Italy: ['Roma/Centro', '<img src=x onerror=alert(1)>'] };

let pinia: Pinia;
let fake: FakeSocket;
let wrapper: VueWrapper | undefined;

beforeEach(() => {
  pinia = createPinia();
  setActivePinia(pinia);
  fake = new FakeSocket();
  new FakeLog().serve(fake);
  fake
    .handle('resources:list', (p) => ({ server: p.server, supported: true, items: [] }))
    .handle('resources:templates', (p) => ({
      server: p.server,
      supported: true,
      items: [
        { uriTemplate: CITY, name: 'city', description: 'A city\u001b[31m' },
        { uriTemplate: 'demo://search{?q}', name: 'search' },
      ],
    }))
    .handle('prompts:list', (p) => ({ server: p.server, supported: false, items: [] }))
    .handle('resources:read', (p) => ({ server: p.server, uri: p.uri, parts: [{ type: 'text', text: 'a city page', truncated: false }] }))
    .handle('completion:complete', (p) => {
      const { name, value } = p.argument as { name: string; value: string };
      const context = (p.context ?? {}) as Record<string, string>;
      const values = name === 'country' ? Object.keys(CITIES) : (CITIES[context.country ?? ''] ?? []);
      return { values: values.filter((v) => v.startsWith(value)), hasMore: false };
    });
});

afterEach(() => wrapper?.unmount());

async function panel(): Promise<VueWrapper> {
  useConnection().start('mcpgw_test-token-0123456789', () => fake.socket);
  fake.accept();
  await flushPromises();
  await useChat().open('s_web');
  await flushPromises();
  wrapper = mount(ContentPanel, { global: { plugins: [pinia] } });
  await flushPromises();
  return wrapper;
}

describe('a resource template in the web panel', () => {
  it('is filled in like a prompt: the server suggests each variable, the URI is encoded, and Read reads it', async () => {
    const w = await panel();
    // Only the level-1 template can be filled in; the other is shown as text.
    expect(w.findAll('[data-testid=template-row]').map((b) => b.attributes('data-template'))).toEqual([CITY]);
    expect(w.text()).toContain('demo://search{?q}');
    await w.get('[data-testid=template-row]').trigger('click');
    const form = w.get('[data-testid=template-form]');
    expect(form.text()).toContain('A city␛[31m');
    expect(w.get<HTMLButtonElement>('[data-testid=template-read]').element.disabled).toBe(true);

    await w.get('[data-testid=template-var-country]').setValue('I');
    await flushPromises();
    expect(w.get('[data-testid=template-suggestions-country]').text()).toBe('Italy');
    await w.get('[data-testid=template-suggestions-country] button').trigger('click');
    await w.get('[data-testid=template-var-city]').trigger('focus');
    await flushPromises();
    expect(fake.sent('completion:complete').at(-1)).toEqual({
      sessionId: 's_web',
      server: 'testsrv',
      ref: { type: 'resource', uri: CITY },
      argument: { name: 'city', value: '' },
      context: { country: 'Italy' },
    });
    // The server's values are shown as text, never as markup.
    const suggested = w.findAll('[data-testid=template-suggestions-city] button');
    expect(suggested.map((b) => b.text())).toEqual(['Roma/Centro', '<img src=x onerror=alert(1)>']);
    expect(w.find('[data-testid=template-suggestions-city] img').exists()).toBe(false);

    await suggested[0]!.trigger('click');
    // A slash in a value is encoded: it cannot add a path segment.
    expect(w.get('[data-testid=template-uri]').text()).toBe('demo://city/Italy/Roma%2FCentro');
    await w.get('[data-testid=template-form]').trigger('submit');
    await flushPromises();
    expect(fake.sent('resources:read')).toEqual([{ sessionId: 's_web', server: 'testsrv', uri: 'demo://city/Italy/Roma%2FCentro' }]);
    expect(w.get('[data-testid=resource-view]').text()).toContain('a city page');
  });
});
