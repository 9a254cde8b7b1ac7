import { EventEmitter } from 'node:events';
import { Box, render, Static } from 'ink';
import type { ReactNode } from 'react';
import { describe, expect, it } from 'vitest';
import type { ChatItem } from '../../../src/view/types.js';
import { ChatItemView } from '../../../tui/components/ChatItemView.js';
import { plain } from './helpers.js';

/** A terminal of a given width: ink-testing-library's is fixed at 100 columns. */
class Terminal extends EventEmitter {
  readonly rows = 50;
  /**
   * Ink (in debug mode) writes the whole screen each time: the last write is what is shown. Under CI=true Ink also
   * writes its (in debug mode, empty) last live frame at unmount, which shows nothing new, so blank writes are kept out.
   */
  output = '';
  constructor(readonly columns: number) {
    super();
  }
  write = (text: string): boolean => {
    if (text.trim()) this.output = text;
    return true;
  };
}

/** What the terminal shows for `node` rendered once, as the chat renders it: in the transcript (Static) or live. */
function show(node: (width: number) => ReactNode, columns: number, where: 'static' | 'live'): string[] {
  const terminal = new Terminal(columns);
  const app = render(
    where === 'static' ? (
      <Static items={['only']}>{(key) => <Box key={key}>{node(columns)}</Box>}</Static>
    ) : (
      <Box flexDirection="column" width={columns}>
        {node(columns)}
      </Box>
    ),
    { stdout: terminal as unknown as NodeJS.WriteStream, debug: true, patchConsole: false },
  );
  app.unmount();
  return plain(terminal.output).split('\n');
}

// A tool's JSON answer, as a model echoes it: 512 characters and not one space to break at.
const JSON_ANSWER = JSON.stringify({
  interfaces: Array.from({ length: 8 }, (_, i) => ({ name: `eth${i}`, addresses: ['fe80::1', '10.0.0.1'], mtu: 1500 })),
});

const assistant = (text: string): ChatItem => ({ kind: 'assistant', key: 'a', seq: 1, ts: 1, turnId: 't', text, done: true });
const user = (text: string): ChatItem => ({ kind: 'user', key: 'u', seq: 1, ts: 1, messageId: 'm', text, from: 'me' });

describe('long unbroken text at 120 columns', () => {
  const cases: Array<[string, ChatItem, (lines: string[]) => string]> = [
    ['a model answer', assistant(`Here:\n\n${JSON_ANSWER}`), (lines) => lines.slice(1).join('')],
    ['a model answer in a list item', assistant(`- ${JSON_ANSWER}`), (lines) => lines.join('').replace(/^✦\s*•\s*/, '')],
    ['a model answer in a quote', assistant(`> ${JSON_ANSWER}`), (lines) => lines.join('').replace(/^✦\s*/, '').replace(/┃ ?/g, '')],
    ['a user message', user(JSON_ANSWER), (lines) => lines.join('').replace(/^\S+\s/, '')],
  ];
  for (const where of ['static', 'live'] as const) {
    for (const [name, item, content] of cases) {
      it(`wraps ${name} inside the screen, losing nothing (${where})`, () => {
        const lines = show((width) => <ChatItemView item={item} consoleOpen={false} width={width} />, 120, where).filter((l) => l.trim());
        for (const line of lines) expect(line.length, line).toBeLessThanOrEqual(120);
        expect(content(lines.map((l) => l.trim())).replace(/\s/g, '')).toContain(JSON_ANSWER);
        expect(lines.length).toBeGreaterThanOrEqual(5);
      });
    }
  }
});
