// @vitest-environment happy-dom
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils';
import { createPinia, setActivePinia, type Pinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DaemonStatus } from '../../../src/protocol/session.js';
import StatusBar from '../../../web/src/components/StatusBar.vue';
import { useConnection } from '../../../web/src/stores/connection.js';
import { daemonStatus, FakeSocket } from './fake-socket.js';

// What mcpd runs loosened (sandbox.allowUnenforcedLimits where the engine ignores limits, the test-only egress
// override) comes with `daemon:status`; the page's status bar shows it loudly, made safe, while there is any.

const LIMITS =
  'rootless Podman on cgroup v1 cannot apply memory, CPU or pids limits (it ignores them): sandboxes run WITHOUT memory, CPU and pids limits (sandbox.allowUnenforcedLimits)';

let pinia: Pinia;
let wrapper: VueWrapper | undefined;

beforeEach(() => {
  pinia = createPinia();
  setActivePinia(pinia);
});

afterEach(() => wrapper?.unmount());

/** The status bar on a page connected to an mcpd whose status is `status`; the fake, to drop and reconnect it. */
async function statusBar(status: Partial<DaemonStatus>): Promise<{ w: VueWrapper; fake: FakeSocket }> {
  const fake = new FakeSocket(status);
  useConnection().start('mcpgw_test-token-0123456789', () => fake.socket);
  fake.accept();
  await flushPromises();
  wrapper = mount(StatusBar, { global: { plugins: [pinia] } });
  return { w: wrapper, fake };
}

describe('the web status bar', () => {
  it('shows nothing of loosening while mcpd runs nothing loosened', async () => {
    const { w } = await statusBar({});
    expect(w.get('[data-testid=connection-state]').attributes('data-state')).toBe('connected');
    expect(w.find('[data-testid=daemon-loosened]').exists()).toBe(false);
    expect(w.text()).not.toContain('LOOSENED');
  });

  it('is loud about what mcpd runs loosened: a marker with the first item and how many more, every item in its title', async () => {
    const { w } = await statusBar({ loosened: [LIMITS, 'MCPGW_TEST_EGRESS is set'] });
    const marker = w.get('[data-testid=daemon-loosened]');
    expect(marker.text()).toBe(`LOOSENED: ${LIMITS.slice(0, 99)}… (+1)`);
    expect(marker.classes()).toContain('bg-rose-600');
    expect(marker.attributes('title')).toBe(`${LIMITS}\nMCPGW_TEST_EGRESS is set`);
    // Beside the link, ahead of the session's facts.
    expect(marker.element.previousElementSibling?.getAttribute('data-testid')).toBe('connection-state');
  });

  it('shows the loosened lines as inert text, marker and title alike', async () => {
    const { w } = await statusBar({ loosened: ['<b>limits</b>\u001b[2J\u202Eoff\nOK'] });
    const marker = w.get('[data-testid=daemon-loosened]');
    expect(marker.find('b').exists()).toBe(false);
    expect(marker.text()).toMatch(/^LOOSENED: <b>limits<\/b>␛\[2J.*off⏎OK$/);
    expect(marker.text()).not.toContain('\u202E');
    for (const raw of ['\u001b', '\u202E', '\n']) expect(marker.attributes('title')).not.toContain(raw);
  });

  it('follows the daemon across a restart: the marker comes and goes with what the new mcpd says', async () => {
    const { w, fake } = await statusBar({});
    fake.handle('daemon:status', () => daemonStatus({ loosened: [LIMITS], startedAt: 2 }));
    fake.drop();
    fake.accept();
    await flushPromises();
    expect(w.get('[data-testid=daemon-loosened]').text()).toMatch(/^LOOSENED: rootless Podman on cgroup v1/);
    fake.handle('daemon:status', () => daemonStatus({ startedAt: 3 }));
    fake.drop();
    fake.accept();
    await flushPromises();
    expect(w.find('[data-testid=daemon-loosened]').exists()).toBe(false);
  });
});
