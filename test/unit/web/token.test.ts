// @vitest-environment happy-dom
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils';
import { createPinia, setActivePinia, type Pinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import App from '../../../web/src/App.vue';
import { takeToken, TOKEN_KEY, type TokenPlace } from '../../../web/src/lib/token.js';
import { useConnection } from '../../../web/src/stores/connection.js';
import { FakeSocket } from './fake-socket.js';

const TOKEN = 'mcpgw_AbCdEfGhIjKlMnOpQrStUvWxYz012345';

/** A browser's location, history and storage, recorded. */
function place(url: string, kept?: string): TokenPlace & { replaced: string[]; stored: Map<string, string> } {
  const u = new URL(url);
  const stored = new Map<string, string>(kept ? [[TOKEN_KEY, kept]] : []);
  const replaced: string[] = [];
  return {
    location: { hash: u.hash, pathname: u.pathname, search: u.search },
    history: { state: null, replaceState: (_s: unknown, _t: string, to?: string | URL | null) => void replaced.push(String(to)) },
    storage: { getItem: (k) => stored.get(k) ?? null, setItem: (k, v) => void stored.set(k, v), removeItem: (k) => void stored.delete(k) },
    replaced,
    stored,
  };
}

describe('the token from the link', () => {
  it('is taken from #token=, kept for the tab, and removed from the address bar (path and query stay)', () => {
    const p = place(`http://127.0.0.1:7450/s/s_1?x=1#token=${TOKEN}`);
    expect(takeToken(p)).toBe(TOKEN);
    expect(p.stored.get(TOKEN_KEY)).toBe(TOKEN);
    expect(p.replaced).toEqual(['/s/s_1?x=1']);
  });

  it('leaves the fragment’s other parameters in place', () => {
    const p = place(`http://127.0.0.1:7450/#a=1&token=${TOKEN}&b=2`);
    expect(takeToken(p)).toBe(TOKEN);
    expect(p.replaced).toEqual(['/#a=1&b=2']);
  });

  it('after a reload (no fragment) is the one kept for the tab', () => {
    const p = place('http://127.0.0.1:7450/s/s_1', TOKEN);
    expect(takeToken(p)).toBe(TOKEN);
    expect(p.replaced).toEqual([]);
  });

  it('is absent without a fragment or a kept token', () => {
    expect(takeToken(place('http://127.0.0.1:7450/'))).toBeUndefined();
  });

  it('ignores a mangled one (still removed from the address bar) and keeps the earlier token', () => {
    const p = place('http://127.0.0.1:7450/#token=%3Cscript%3E', TOKEN);
    expect(takeToken(p)).toBe(TOKEN);
    expect(p.replaced).toEqual(['/']);
  });

  it('works when the browser refuses storage', () => {
    const p = place(`http://127.0.0.1:7450/#token=${TOKEN}`);
    p.storage.setItem = () => {
      throw new Error('SecurityError');
    };
    expect(takeToken(p)).toBe(TOKEN);
  });
});

describe('the page', () => {
  let pinia: Pinia;
  let wrapper: VueWrapper | undefined;

  beforeEach(() => {
    pinia = createPinia();
    setActivePinia(pinia);
    window.sessionStorage.clear();
  });

  afterEach(() => wrapper?.unmount());

  /** Mounts the app at `url`, connecting to a fake mcpd instead of a socket. */
  function open(url: string, fake = new FakeSocket()): { start: ReturnType<typeof vi.fn>; fake: FakeSocket } {
    (window as unknown as { happyDOM: { setURL(url: string): void } }).happyDOM.setURL(url);
    const connection = useConnection();
    const real = connection.start;
    const start = vi.fn((token: string) => real(token, () => fake.socket));
    connection.start = start;
    wrapper = mount(App, { global: { plugins: [pinia] } });
    return { start, fake };
  }

  it('without a token explains how to open it, and does not try to connect', () => {
    const { start } = open('http://127.0.0.1:7450/');
    expect(wrapper?.get('h1').text()).toBe('Open this page with mcpgw web');
    expect(wrapper?.text()).toContain('mcpgw web');
    expect(start).not.toHaveBeenCalled();
  });

  it('connects with the token from the fragment and takes it out of the address bar', async () => {
    const { start, fake } = open(`http://127.0.0.1:7450/s/s_1#token=${TOKEN}`);
    expect(start).toHaveBeenCalledWith(TOKEN);
    expect(window.location.hash).toBe('');
    expect(window.location.pathname).toBe('/s/s_1');
    expect(window.sessionStorage.getItem(TOKEN_KEY)).toBe(TOKEN);
    fake.accept();
    await flushPromises();
    expect(wrapper?.find('[data-testid=sidebar]').exists()).toBe(true);
  });

  it('shows a refused token as such (not a spinner) and forgets it', async () => {
    const { fake } = open(`http://127.0.0.1:7450/#token=${TOKEN}`);
    fake.refuse();
    await flushPromises();
    expect(wrapper?.get('h1').text()).toBe('mcpd refused this link');
    expect(wrapper?.get('[data-testid=auth-message]').text()).toContain('unauthorized');
    expect(window.sessionStorage.getItem(TOKEN_KEY)).toBeNull();
  });
});
