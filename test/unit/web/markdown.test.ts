// @vitest-environment happy-dom
import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import { MarkdownView } from '../../../web/src/components/MarkdownView.js';
import { parseMarkdown } from '../../../src/markdown/index.js';

const render = (source: string) => mount(MarkdownView, { props: { source } });

describe('model text as Markdown', () => {
  it('shows HTML in model text as the characters it is, never as elements', () => {
    const w = render('Look: <script>window.__pwned = 1</script> and <img src=x onerror="window.__pwned = 2">\n\n<b>bold?</b>');
    expect(w.find('script').exists()).toBe(false);
    expect(w.find('img').exists()).toBe(false);
    expect(w.find('b').exists()).toBe(false);
    expect(w.text()).toContain('<script>window.__pwned = 1</script>');
    expect(w.text()).toContain('<img src=x onerror="window.__pwned = 2">');
    expect(w.html()).toContain('&lt;script&gt;');
    expect((window as unknown as { __pwned?: number }).__pwned).toBeUndefined();
  });

  it('links only http(s) and mailto addresses, opened without a referrer or opener', () => {
    const w = render(
      '[docs](https://example.com/a) [bad](javascript:alert(1)) [data](data:text/html,hi) <https://x.test/p> see https://y.test/q.',
    );
    const links = w.findAll('a');
    expect(links.map((a) => a.attributes('href'))).toEqual(['https://example.com/a', 'https://x.test/p', 'https://y.test/q']);
    expect(links[0]?.attributes('rel')).toBe('noopener noreferrer nofollow');
    expect(w.text()).toContain('[bad](javascript:alert(1))');
    expect(w.text()).toContain('[data](data:text/html,hi)');
  });

  it('renders headings, emphasis, code, lists, quotes and tables as elements', () => {
    const w = render(
      '## Done\n\nThe tool reported **did 3 steps** and *quickly*, via `progress`.\n\n- one\n- two\n  1. nested\n\n> quoted\n\n```ts\nconst x = 1 < 2;\n```\n\n| a | b |\n|---|--:|\n| 1 | 2 |',
    );
    expect(w.get('h2').text()).toBe('Done');
    expect(w.get('strong').text()).toBe('did 3 steps');
    expect(w.get('em').text()).toBe('quickly');
    expect(w.get('p code').text()).toBe('progress');
    expect(w.findAll('ul > li').map((li) => li.text())).toEqual(['one', 'twonested']);
    expect(w.get('ul ol li').text()).toBe('nested');
    expect(w.get('blockquote').text()).toBe('quoted');
    expect(w.get('pre code').text()).toBe('const x = 1 < 2;');
    expect(w.findAll('th').map((th) => th.text())).toEqual(['a', 'b']);
    expect(w.findAll('td')[1]?.classes()).toContain('text-right');
  });

  it('keeps text that only looks like Markdown as text', () => {
    expect(parseMarkdown('2 * 3 * 4 and snake_case_name')).toEqual([
      { kind: 'paragraph', children: [{ kind: 'text', text: '2 * 3 * 4 and snake_case_name' }] },
    ]);
  });

  it('parses text still streaming: an unclosed fence is code, an unclosed ** is text', () => {
    expect(parseMarkdown('Here:\n```sh\nls -la')).toEqual([
      { kind: 'paragraph', children: [{ kind: 'text', text: 'Here:' }] },
      { kind: 'code', lang: 'sh', text: 'ls -la' },
    ]);
    expect(parseMarkdown('so **far')).toEqual([{ kind: 'paragraph', children: [{ kind: 'text', text: 'so **far' }] }]);
  });
});
