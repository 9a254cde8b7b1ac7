// @vitest-environment happy-dom
import { mount, type VueWrapper } from '@vue/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import type { ElicitationAsk } from '../../../src/protocol/elicitation.js';
import type { QuestionView } from '../../../src/view/index.js';
import ElicitationCard from '../../../web/src/components/questions/ElicitationCard.vue';

let wrapper: VueWrapper | undefined;
afterEach(() => wrapper?.unmount());

function question(ask: ElicitationAsk): QuestionView {
  return {
    questionId: 'q1',
    subject: { kind: 'server', server: 'every\u001b[31mthing' },
    ask,
    expiresAt: Date.now() + 60_000,
    askedAt: Date.now(),
  };
}

const form: ElicitationAsk = {
  kind: 'elicitation',
  message: 'Who are you?\nReally.',
  mode: 'form',
  fields: [
    { name: 'name', type: 'string', required: true, title: 'Name' },
    { name: 'email', type: 'string', required: false, format: 'email', title: 'Email' },
    { name: 'age', type: 'integer', required: false, minimum: 0, default: 30 },
    { name: 'ok', type: 'boolean', required: false },
    {
      name: 'hero',
      type: 'enum',
      required: false,
      options: [
        { value: 'h1', title: 'Superman' },
        { value: 'h2', title: 'Batman' },
      ],
    },
    {
      name: 'fish',
      type: 'multi',
      required: false,
      options: [
        { value: 'f1', title: 'Tuna' },
        { value: 'f2', title: 'Salmon' },
      ],
    },
  ],
};

describe('the elicitation card', () => {
  it('shows which server asks (made inert), its message, required marks and defaults', () => {
    wrapper = mount(ElicitationCard, { props: { question: question(form) } });
    expect(wrapper.get('[data-testid=elicitation-server]').text()).toBe('every␛[31mthing');
    expect(wrapper.get('[data-testid=elicitation-message]').text()).toBe('Who are you?\nReally.');
    expect(wrapper.get('[data-testid=field-name] label').text()).toBe('Name *');
    expect((wrapper.get('[data-testid=field-age] input').element as HTMLInputElement).value).toBe('30');
    expect(wrapper.get('[data-testid=field-hero] select').text()).toContain('Superman');
  });

  it('checks the form with the daemon’s own checks before sending, then sends the typed values', async () => {
    wrapper = mount(ElicitationCard, { props: { question: question(form) } });
    await wrapper.get('[data-testid=field-email] input').setValue('nope');
    await wrapper.get('[data-testid=elicitation-form]').trigger('submit');
    expect(wrapper.emitted('answer')).toBeUndefined();
    expect(wrapper.get('[data-testid=problem-name]').text()).toBe('Name is required');
    expect(wrapper.get('[data-testid=problem-email]').text()).toBe('Email is not an email address (name@example.org)');

    await wrapper.get('[data-testid=field-name] input').setValue('Ada');
    await wrapper.get('[data-testid=field-email] input').setValue('ada@example.org');
    await wrapper.get('[data-testid=field-ok] input[value=yes]').setValue(true);
    await wrapper.get('[data-testid=field-hero] select').setValue('h2');
    await wrapper.get('[data-testid=field-fish] input[value=f2]').setValue(true);
    await wrapper.get('[data-testid=elicitation-form]').trigger('submit');
    expect(wrapper.emitted('answer')).toEqual([
      [
        'q1',
        {
          kind: 'elicitation',
          action: 'accept',
          content: { name: 'Ada', email: 'ada@example.org', age: 30, ok: true, hero: 'h2', fish: ['f2'] },
        },
      ],
    ]);
  });

  it('declines and cancels without content', async () => {
    wrapper = mount(ElicitationCard, { props: { question: question(form) } });
    await wrapper.get('[data-testid=elicitation-decline]').trigger('click');
    await wrapper.get('[data-testid=elicitation-cancel]').trigger('click');
    expect(wrapper.emitted('answer')).toEqual([
      ['q1', { kind: 'elicitation', action: 'decline' }],
      ['q1', { kind: 'elicitation', action: 'cancel' }],
    ]);
  });

  it('shows a URL with its host first, as a link the person must click (new tab, no opener, no referrer)', async () => {
    const url: ElicitationAsk = {
      kind: 'elicitation',
      message: 'Sign in',
      mode: 'url',
      elicitationId: 'e1',
      url: { href: 'http://xn--exmple-4nf.com/login', host: 'xn--exmple-4nf.com', secure: false },
    };
    wrapper = mount(ElicitationCard, { props: { question: question(url) } });
    expect(wrapper.get('[data-testid=elicitation-host]').text()).toBe('xn--exmple-4nf.com');
    expect(wrapper.text()).toContain('not encrypted (http)');
    const link = wrapper.get('[data-testid=elicitation-link]');
    expect(link.attributes()).toMatchObject({ href: 'http://xn--exmple-4nf.com/login', target: '_blank', rel: 'noopener noreferrer' });
    await wrapper.get('[data-testid=elicitation-accept]').trigger('click');
    expect(wrapper.emitted('answer')).toEqual([['q1', { kind: 'elicitation', action: 'accept' }]]);
  });
});
