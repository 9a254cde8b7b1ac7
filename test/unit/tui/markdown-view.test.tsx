import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import { Markdown } from '../../../tui/components/Markdown.js';
import { plain } from './helpers.js';

describe('Markdown', () => {
  it('renders headings, emphasis, lists, code and tables as readable terminal text', () => {
    const text = [
      '# Files',
      '',
      'Found **2** files in `/data`:',
      '',
      '- hello.txt',
      '- notes.md',
      '',
      '```sh',
      'ls /data',
      '```',
      '',
      '| name | size |',
      '|---|---|',
      '| hello.txt | 12 |',
    ].join('\n');
    const frame = render(<Markdown text={text} />).lastFrame() ?? '';
    expect(plain(frame).split('\n')).toEqual([
      'Files',
      '',
      'Found 2 files in /data:',
      '',
      '• hello.txt',
      '• notes.md',
      '',
      '│ sh',
      '│ ls /data',
      '',
      'name       size',
      '─────────  ────',
      'hello.txt  12',
    ]);
  });

  it('shows HTML and unsafe links as the characters they are, and a link with its address', () => {
    const text = 'Click [here](javascript:alert(1)) or [docs](https://docs.test/a) <b onclick="x">now</b>\n\n<script>\nalert(1)\n</script>';
    const frame = plain(render(<Markdown text={text} />).lastFrame());
    expect(frame.split('\n')).toEqual([
      'Click [here](javascript:alert(1)) or docs (https://docs.test/a) <b onclick="x">now</b>',
      '',
      '<script>',
      'alert(1)',
      '</script>',
    ]);
  });

  it('nests lists under their item and numbers ordered ones from their start', () => {
    const frame = plain(render(<Markdown text={'3. three\n4. four\n   - under four\n\n> quoted\n> more'} />).lastFrame());
    expect(frame.split('\n')).toEqual(['3. three', '4. four', '   • under four', '', '┃ quoted', '┃ more']);
  });
});
