// @vitest-environment happy-dom
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils';
import { createPinia, setActivePinia, type Pinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import App from '../../../web/src/App.vue';
import { keptToken, takeCode, TOKEN_KEY, type TokenPlace } from '../../../web/src/lib/token.js';
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

const CODE = 'mcpgw_code_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789abcdefgh';

describe('the code from the link', () => {
  it('is taken from #code= and removed from the address bar at once (path and query stay)', () => {
    const p = place(`http://127.0.0.1:7450/s/s_1?x=1#code=${CODE}`);
    expect(takeCode(p)).toBe(CODE);
    expect(p.replaced).toEqual(['/s/s_1?x=1']);
    // A code is not a credential: nothing is kept until it is traded.
    expect(p.stored.size).toBe(0);
  });

  it('leaves the fragment’s other parameters in place', () => {
    const p = place(`http://127.0.0.1:7450/#a=1&code=${CODE}&b=2`);
    expect(takeCode(p)).toBe(CODE);
    expect(p.replaced).toEqual(['/#a=1&b=2']);
  });

  it('never takes a token from a link (an old #token= link): it is removed from the address bar and ignored', () => {
    const p = place(`http://127.0.0.1:7450/#token=${TOKEN}`);
    expect(takeCode(p)).toBeUndefined();
    expect(p.replaced).toEqual(['/']);
    expect(p.stored.size).toBe(0);
  });

  it('is absent without a fragment, and the tab’s kept credential is used after a reload', () => {
    const p = place('http://127.0.0.1:7450/s/s_1', TOKEN);
    expect(takeCode(p)).toBeUndefined();
    expect(p.replaced).toEqual([]);
    expect(keptToken(p.storage)).toBe(TOKEN);
  });

  it('ignores a mangled one (still removed from the address bar)', () => {
    const p = place('http://127.0.0.1:7450/#code=%3Cscript%3E');
    expect(takeCode(p)).toBeUndefined();
    expect(p.replaced).toEqual(['/']);
  });

  it('works when the browser refuses storage', () => {
    const p = place('http://127.0.0.1:7450/');
    p.storage.getItem = () => {
      throw new Error('SecurityError');
    };
    expect(keptToken(p.storage)).toBeUndefined();
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

  /** Mounts the app at `url`, connecting to a fake mcpd instead of a socket; `/auth/code` answers with `codes`. */
  function open(
    url: string,
    options: { fake?: FakeSocket; codes?: (code: string) => { status: number; body: Record<string, unknown> } } = {},
  ): { start: ReturnType<typeof vi.fn>; fake: FakeSocket; posted: string[]; identityFailed: () => ((err: Error) => void) | undefined } {
    const fake = options.fake ?? new FakeSocket();
    const posted: string[] = [];
    vi.stubGlobal(
      'fetch',
      vi.fn(async (path: string, init: RequestInit) => {
        const { code } = JSON.parse(String(init.body)) as { code: string };
        posted.push(`${init.method} ${path} ${code}`);
        const answer = options.codes?.(code) ?? { status: 404, body: { error: 'unknown' } };
        return new Response(JSON.stringify(answer.body), { status: answer.status });
      }),
    );
    (window as unknown as { happyDOM: { setURL(url: string): void } }).happyDOM.setURL(url);
    const connection = useConnection();
    const real = connection.start;
    let hook: ((err: Error) => void) | undefined;
    const start = vi.fn((token: string) =>
      real(token, (_t, onIdentityFailed) => {
        hook = onIdentityFailed;
        return fake.socket;
      }),
    );
    connection.start = start;
    wrapper = mount(App, { global: { plugins: [pinia] } });
    return { start, fake, posted, identityFailed: () => hook };
  }

  afterEach(() => vi.unstubAllGlobals());

  const WEB = 'mcpgw_web_ZyXwVuTsRqPoNmLkJiHgFeDcBa9876543210';

  it('without a code explains how to open it, and does not try to connect', () => {
    const { start } = open('http://127.0.0.1:7450/');
    expect(wrapper?.get('h1').text()).toBe('Open this page with mcpgw web');
    expect(wrapper?.text()).toContain('mcpgw web');
    expect(start).not.toHaveBeenCalled();
  });

  it('trades the link’s code for a browser credential, connects with it and keeps it for the tab', async () => {
    const { start, fake, posted } = open(`http://127.0.0.1:7450/s/s_1#code=${CODE}`, {
      codes: (code) => (code === CODE ? { status: 200, body: { token: WEB, user: 'alice', expiresAt: 1 } } : { status: 404, body: {} }),
    });
    // The code leaves the address bar before anything else happens.
    expect(window.location.hash).toBe('');
    expect(window.location.pathname).toBe('/s/s_1');
    await flushPromises();
    expect(posted).toEqual([`POST /auth/code ${CODE}`]);
    expect(start).toHaveBeenCalledWith(WEB);
    expect(window.sessionStorage.getItem(TOKEN_KEY)).toBe(WEB);
    fake.accept();
    await flushPromises();
    expect(wrapper?.find('[data-testid=sidebar]').exists()).toBe(true);
  });

  it.each([
    ['used', 410, 'This link was already used'],
    ['expired', 410, 'This link has expired'],
    ['unknown', 404, 'mcpd does not know this link'],
  ])('says so when the code is %s, and does not connect', async (error, status, title) => {
    const { start } = open(`http://127.0.0.1:7450/#code=${CODE}`, { codes: () => ({ status, body: { error } }) });
    await flushPromises();
    expect(wrapper?.get('h1').text()).toBe(title);
    expect(wrapper?.get('[data-testid=auth-screen]').attributes('data-reason')).toBe(error);
    expect(start).not.toHaveBeenCalled();
    expect(window.sessionStorage.getItem(TOKEN_KEY)).toBeNull();
  });

  it('does not connect with a token from an old #token= link', async () => {
    const { start, posted } = open(`http://127.0.0.1:7450/#token=${TOKEN}`);
    await flushPromises();
    expect(wrapper?.get('h1').text()).toBe('Open this page with mcpgw web');
    expect(window.location.hash).toBe('');
    expect(start).not.toHaveBeenCalled();
    expect(posted).toEqual([]);
  });

  it('shows a refused credential as such (not a spinner) and forgets it', async () => {
    window.sessionStorage.setItem(TOKEN_KEY, WEB);
    const { fake, start } = open('http://127.0.0.1:7450/');
    expect(start).toHaveBeenCalledWith(WEB);
    fake.refuse();
    await flushPromises();
    expect(wrapper?.get('h1').text()).toBe('mcpd refused this link');
    expect(wrapper?.get('[data-testid=auth-message]').text()).toContain('unauthorized');
    expect(window.sessionStorage.getItem(TOKEN_KEY)).toBeNull();
  });

  it('keeps retrying, without the credential, while the peer cannot prove it is mcpd; stops when mcpd no longer knows it', async () => {
    window.sessionStorage.setItem(TOKEN_KEY, WEB);
    const { identityFailed } = open('http://127.0.0.1:7450/');
    identityFailed()?.(new Error('not sending the token to 127.0.0.1:7450: its identity proof is wrong'));
    await flushPromises();
    expect(useConnection().state).toMatchObject({ kind: 'reconnecting', reason: expect.stringContaining('identity proof is wrong') });
    expect(window.sessionStorage.getItem(TOKEN_KEY)).toBe(WEB);
    identityFailed()?.(new Error('mcpd at 127.0.0.1:7450 does not know this token (revoked, expired, or another state dir)'));
    await flushPromises();
    expect(wrapper?.get('h1').text()).toBe('mcpd refused this link');
    expect(window.sessionStorage.getItem(TOKEN_KEY)).toBeNull();
  });
});
