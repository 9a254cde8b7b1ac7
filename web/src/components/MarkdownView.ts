import { computed, defineComponent, h, type VNode } from 'vue';
import { isSafeHref, parseMarkdown, type Align, type Block, type Inline } from '../../../src/markdown/index.js';

const HEADING_CLASS = [
  '',
  'text-xl font-semibold',
  'text-lg font-semibold',
  'text-base font-semibold',
  'font-semibold',
  'font-semibold',
  'font-semibold',
];
const ALIGN_CLASS: Record<Exclude<Align, undefined>, string> = { left: 'text-left', center: 'text-center', right: 'text-right' };

/**
 * Model text as Markdown, built from the parsed tree with `h()`: every piece of text becomes a text node, so
 * nothing the model writes can turn into markup (no `v-html`, no sanitiser to get wrong).
 */
export const MarkdownView = defineComponent({
  name: 'MarkdownView',
  props: { source: { type: String, required: true } },
  setup(props) {
    const blocks = computed(() => parseMarkdown(props.source));
    return () => h('div', { class: 'space-y-3 leading-relaxed break-words' }, blocks.value.map(renderBlock));
  },
});

function renderBlock(block: Block): VNode {
  switch (block.kind) {
    case 'paragraph':
      return h('p', inlines(block.children));
    case 'heading':
      return h(
        `h${Math.min(6, Math.max(1, block.level))}`,
        { class: HEADING_CLASS[block.level] ?? 'font-semibold' },
        inlines(block.children),
      );
    case 'code':
      return h(
        'pre',
        {
          class: 'overflow-x-auto rounded border border-slate-800 bg-slate-900 px-3 py-2 text-sm text-slate-200',
          'data-lang': block.lang || undefined,
        },
        [h('code', block.text)],
      );
    case 'list':
      return h(
        block.ordered ? 'ol' : 'ul',
        {
          class: `${block.ordered ? 'list-decimal' : 'list-disc'} space-y-1 pl-6`,
          start: block.ordered && block.start !== 1 ? block.start : undefined,
        },
        block.items.map((item) => h('li', listItem(item))),
      );
    case 'quote':
      return h('blockquote', { class: 'space-y-2 border-l-4 border-slate-600 pl-3 text-slate-300' }, block.children.map(renderBlock));
    case 'table':
      return h('div', { class: 'overflow-x-auto' }, [
        h('table', { class: 'border-collapse text-sm' }, [
          h('thead', [
            h(
              'tr',
              block.head.map((cell, i) => h('th', { class: cellClass(block.align[i], true) }, inlines(cell))),
            ),
          ]),
          h(
            'tbody',
            block.rows.map((row) =>
              h(
                'tr',
                row.map((cell, i) => h('td', { class: cellClass(block.align[i], false) }, inlines(cell))),
              ),
            ),
          ),
        ]),
      ]);
    case 'rule':
      return h('hr', { class: 'border-slate-700' });
  }
}

// A list item that is one paragraph renders as plain text, not a <p> with its margins ("tight" lists).
function listItem(blocks: Block[]): VNode[] {
  const [only] = blocks;
  if (blocks.length === 1 && only?.kind === 'paragraph') return inlines(only.children);
  return blocks.map(renderBlock);
}

function cellClass(align: Align, head: boolean): string {
  return `border border-slate-700 px-2 py-1 ${align ? ALIGN_CLASS[align] : 'text-left'}${head ? ' font-semibold bg-slate-800' : ''}`;
}

function inlines(nodes: Inline[]): VNode[] {
  return nodes.map(renderInline);
}

function renderInline(node: Inline): VNode {
  switch (node.kind) {
    case 'text':
      return h('span', node.text);
    case 'code':
      return h('code', { class: 'rounded bg-slate-800 px-1 py-0.5 text-[0.9em] text-sky-200' }, node.text);
    case 'strong':
      return h('strong', { class: 'font-semibold text-slate-50' }, inlines(node.children));
    case 'em':
      return h('em', inlines(node.children));
    case 'del':
      return h('del', inlines(node.children));
    case 'link':
      // Checked again here: the parser is not the only way a tree could be built.
      if (!isSafeHref(node.href)) return h('span', inlines(node.children));
      return h(
        'a',
        { href: node.href, target: '_blank', rel: 'noopener noreferrer nofollow', class: 'text-sky-300 underline hover:text-sky-200' },
        inlines(node.children),
      );
    case 'br':
      return h('br');
  }
}
