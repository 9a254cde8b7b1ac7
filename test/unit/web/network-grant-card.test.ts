// @vitest-environment happy-dom
import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import NetworkGrantCard from '../../../web/src/components/questions/NetworkGrantCard.vue';

describe('NetworkGrantCard', () => {
  it('shows server, name, port and why; its three buttons answer once / session / deny', async () => {
    const card = mount(NetworkGrantCard, {
      props: {
        questionId: 'q1',
        subject: { kind: 'server', server: 'ctx7', callId: 'c1' },
        ask: { kind: 'network_grant', host: 'api.example.com', port: 8443, via: 'tls', reason: 'port not allowed for this name' },
      },
    });
    expect(card.get('[data-testid=grant-server]').text()).toBe('ctx7');
    expect(card.get('[data-testid=grant-host]').text()).toBe('api.example.com');
    expect(card.get('[data-testid=grant-port]').text()).toBe('port 8443');
    expect(card.text()).toContain('why asked: port not allowed for this name');
    for (const id of ['grant-once', 'grant-session', 'grant-deny']) await card.get(`[data-testid=${id}]`).trigger('click');
    expect(card.emitted('answer')).toEqual([
      ['q1', { kind: 'network_grant', decision: 'once' }],
      ['q1', { kind: 'network_grant', decision: 'session' }],
      ['q1', { kind: 'network_grant', decision: 'deny' }],
    ]);
  });

  it('makes server text one inert line', () => {
    const card = mount(NetworkGrantCard, {
      props: {
        questionId: 'q2',
        subject: { kind: 'server', server: 'evil\nline\u202e' },
        ask: { kind: 'network_grant', host: 'x.example.com', via: 'dns', reason: 'not in the allowlist\u001b[31m' },
      },
    });
    expect(card.get('[data-testid=grant-server]').text()).not.toMatch(/[\n\u202e]/);
    expect(card.text()).not.toContain('\u001b');
    expect(card.get('[data-testid=grant-port]').text()).toBe('ports 443 and 80');
  });
});
