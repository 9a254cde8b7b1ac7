import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import { displayWidth, fitWidth, formatTable as renderTableText, layoutTable } from '../../../src/text/table.js';
import { Table } from '../../../tui/components/Table.js';
import { plain } from './helpers.js';

describe('table layout', () => {
  it('aligns columns under a header and a rule', () => {
    expect(
      renderTableText(
        ['ID', 'STATUS'],
        [
          ['s_1', 'active'],
          ['s_long_id', 'idle'],
        ],
      ),
    ).toBe(['ID         STATUS', '─────────  ──────', 's_1        active', 's_long_id  idle'].join('\n'));
  });

  it('shrinks the widest column to fit and marks cuts with …', () => {
    const layout = layoutTable(['A', 'B'], [['short', 'a rather long description of a thing']], 24);
    expect(layout.rows[0]).toBe('short  a rather long de…');
    expect(displayWidth(layout.rows[0]!)).toBeLessThanOrEqual(24);
  });

  it('counts wide characters as two columns', () => {
    expect(displayWidth('日本')).toBe(4);
    expect(fitWidth('日本語です', 5)).toBe('日本…');
  });

  it('the Ink Table draws the same lines', () => {
    const { lastFrame } = render(<Table headers={['ID', 'STATUS']} rows={[['s_1', 'active']]} />);
    expect(plain(lastFrame())).toBe(['ID   STATUS', '───  ──────', 's_1  active'].join('\n'));
  });
});
