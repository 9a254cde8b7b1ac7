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
});
