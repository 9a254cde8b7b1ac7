import { describe, expect, it } from 'vitest';
import { LineFramer, sniffJsonRpcId } from '../../../daemon/sandbox/framing.js';

const lines = (framer: LineFramer, ...chunks: string[]): unknown[] => chunks.flatMap((c) => framer.push(Buffer.from(c)));

describe('LineFramer', () => {
  it('joins a line split across chunks and splits several lines in one chunk', () => {
    const framer = new LineFramer(1024);
    expect(lines(framer, '{"a"', ':1}\n{"b":2}\n{"c"')).toEqual([
      { kind: 'line', line: '{"a":1}' },
      { kind: 'line', line: '{"b":2}' },
    ]);
    expect(lines(framer, ':3}\r\n')).toEqual([{ kind: 'line', line: '{"c":3}' }]);
  });

  it('skips blank lines', () => {
    expect(lines(new LineFramer(64), '\n\r\n  \n{"x":1}\n')).toEqual([{ kind: 'line', line: '{"x":1}' }]);
  });

  it('keeps multi-byte characters split between chunks intact', () => {
    const bytes = Buffer.from('{"t":"héllo 🌍"}\n');
    const framer = new LineFramer(1024);
    const frames = [...framer.push(bytes.subarray(0, 8)), ...framer.push(bytes.subarray(8, 15)), ...framer.push(bytes.subarray(15))];
    expect(frames).toEqual([{ kind: 'line', line: '{"t":"héllo 🌍"}' }]);
  });

  it('reports a line over the cap once, with its head and tail, and resynchronises at the next newline', () => {
    const framer = new LineFramer(100);
    const big = `{"jsonrpc":"2.0","result":{"text":"${'x'.repeat(500)}"},"id":42}`;
    const frames = lines(framer, big.slice(0, 60), big.slice(60, 300), big.slice(300), '\n{"ok":true}\n');
    expect(frames).toHaveLength(2);
    expect(frames[0]).toMatchObject({ kind: 'oversize', bytes: big.length });
    expect(frames[1]).toEqual({ kind: 'line', line: '{"ok":true}' });
    const oversize = frames[0] as { head: string; tail: string };
    expect(sniffJsonRpcId(oversize.head, oversize.tail)).toBe(42);
  });

  it('does not buffer past the cap while a line never ends', () => {
    const framer = new LineFramer(1024);
    for (let i = 0; i < 1000; i++) framer.push(Buffer.alloc(64 * 1024, 0x79));
    expect(framer.overflowing).toBe(true);
    expect(lines(framer, 'tail\n')).toEqual([expect.objectContaining({ kind: 'oversize', bytes: 1000 * 64 * 1024 + 4 })]);
    expect(framer.overflowing).toBe(false);
  });

  it('drain returns an unfinished last line', () => {
    const framer = new LineFramer(64);
    lines(framer, 'done\npartial');
    expect(framer.drain()).toBe('partial');
    expect(framer.drain()).toBeUndefined();
  });
});

describe('sniffJsonRpcId', () => {
  it.each([
    ['id written last (the SDK)', '', '...},"jsonrpc":"2.0","id":7}', 7],
    ['string id written last', '', '"jsonrpc":"2.0","id":"req-1"}', 'req-1'],
    ['id written first', '{"jsonrpc":"2.0","id":9,"result":{"a', 'xxxx', 9],
    ['a nested id is not the message id', '{"result":{"items":[{"id":5', '{"id":5}]}}', undefined],
    ['nothing recognisable', 'yyyy', 'yyyy', undefined],
  ])('%s', (_name, head, tail, expected) => {
    expect(sniffJsonRpcId(head, tail)).toBe(expected);
  });
});
