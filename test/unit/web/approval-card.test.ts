// @vitest-environment happy-dom
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils';
import { createPinia, setActivePinia, type Pinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import ArgsView from '../../../web/src/components/ArgsView.vue';
import { mountChatPanel } from './chat-panel.js';
import { approvalAnswered, FakeLog, FakeSocket, turnAwaitingApproval } from './fake-socket.js';

let pinia: Pinia;
let fake: FakeSocket;
let log: FakeLog;
let wrapper: VueWrapper | undefined;

/** The chat panel of a connected page showing a turn that waits for approval a1. */
async function panel(): Promise<VueWrapper> {
  turnAwaitingApproval(log);
  fake.handle('question:answer', () => ({ applied: true }));
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

describe('the approval card', () => {
  it('shows the server, the tool, its arguments, the server’s claims as claims, and why the policy asks', async () => {
    const card = (await panel()).get('[data-testid=approval-card]');
    expect(card.text()).toContain('Allow this tool call?');
    expect(card.text()).toMatch(/server\s*testsrv\s*tool\s*echo/);
    expect(card.get('[data-testid=args]').text()).toContain('hi');
    expect(card.text()).toContain('server claims: read-only (unverified)');
    expect(card.text()).toContain('policy asks because: no rule matched; default is ask');
  });

  it('"Approve once" and "Always for this session" send question:answer with their scope', async () => {
    const w = await panel();
    await w.get('[data-testid=approve-once]').trigger('click');
    await flushPromises();
    await w.get('[data-testid=approve-session]').trigger('click');
    await flushPromises();
    expect(fake.sent('question:answer')).toEqual([
      { questionId: 'a1', answer: { kind: 'tool_approval', decision: 'approve', scope: 'once' } },
      { questionId: 'a1', answer: { kind: 'tool_approval', decision: 'approve', scope: 'session' } },
    ]);
  });

  it('"Deny" asks for an optional reason and sends it', async () => {
    const w = await panel();
    await w.get('[data-testid=deny]').trigger('click');
    await w.get('[data-testid=deny-reason]').setValue('  not on this machine ');
    await w.get('[data-testid=deny-confirm]').trigger('submit');
    await flushPromises();
    expect(fake.sent('question:answer')).toEqual([
      { questionId: 'a1', answer: { kind: 'tool_approval', decision: 'deny', scope: 'once', reason: 'not on this machine' } },
    ]);
  });

  it('a deny without a reason sends none', async () => {
    const w = await panel();
    await w.get('[data-testid=deny]').trigger('click');
    await w.get('[data-testid=deny-confirm]').trigger('submit');
    await flushPromises();
    expect(fake.sent('question:answer')).toEqual([
      { questionId: 'a1', answer: { kind: 'tool_approval', decision: 'deny', scope: 'once' } },
    ]);
  });

  it('closes and says who answered when another client answers first', async () => {
    const w = await panel();
    fake.push(approvalAnswered(log, { decision: 'approve' }, 'alice'));
    await flushPromises();
    expect(w.find('[data-testid=approval-card]').exists()).toBe(false);
    expect(w.get('[data-testid=approval-closed]').text()).toBe('Answered by alice in another client: approved once');
    expect(fake.sent('question:answer')).toEqual([]);
  });

  it('after its own answer, says who decided without "another client"', async () => {
    const w = await panel();
    fake.handle('question:answer', () => {
      fake.push(approvalAnswered(log, { decision: 'deny', reason: 'no' }, 'bob'));
      return { applied: true };
    });
    await w.get('[data-testid=deny]').trigger('click');
    await w.get('[data-testid=deny-reason]').setValue('no');
    await w.get('[data-testid=deny-confirm]').trigger('submit');
    await flushPromises();
    expect(w.get('[data-testid=approval-closed]').text()).toBe('Denied by you: no');
  });
});

describe('tool arguments', () => {
  it('fold long values behind "show all" and unfold on request', async () => {
    const long = 'x'.repeat(1000);
    const w = mount(ArgsView, { props: { args: { path: '/tmp/a', content: long } } });
    expect(w.text()).toContain('/tmp/a');
    expect(w.text()).not.toContain(long);
    const button = w.get('button');
    expect(button.text()).toBe('show all (760 more characters)');
    await button.trigger('click');
    expect(w.text()).toContain(long);
    expect(w.get('button').text()).toBe('fold');
  });

  it('show invisible characters as codes and say so', () => {
    const w = mount(ArgsView, { props: { args: { command: 'ls \u202Eevil' } } });
    expect(w.text()).toContain('ls ⟦U+202E⟧evil');
    expect(w.text()).toContain('contains invisible characters');
  });
});
