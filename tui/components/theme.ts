import { assertNever } from '../../src/checks.js';
import type { ContainerState } from '../../src/protocol/session.js';
import type { ToolCallStatus } from '../../src/view/types.js';

/** Colours and glyphs in one place, so every screen speaks the same visual language. */
export const theme = {
  user: 'cyan',
  assistant: 'magenta',
  accent: 'cyan',
  ok: 'green',
  warn: 'yellow',
  error: 'red',
  muted: 'gray',
  code: 'yellow',
} as const;

export const glyph = {
  user: '›',
  assistant: '✦',
  notice: '⚑',
  error: '✗',
  ended: '■',
  info: '·',
} as const;

/** The mark and colour of a call in each state. */
export function callGlyph(status: ToolCallStatus): { mark: string; color: string } {
  switch (status) {
    case 'awaiting_approval':
      return { mark: '?', color: theme.warn };
    case 'approved':
    case 'running':
      return { mark: '▶', color: theme.accent };
    case 'succeeded':
      return { mark: '✓', color: theme.ok };
    case 'failed':
      return { mark: '✗', color: theme.error };
    case 'denied':
      return { mark: '⊘', color: theme.error };
    case 'interrupted':
      return { mark: '◌', color: theme.warn };
    default:
      return assertNever(status);
  }
}

/** The mark and colour of a sandbox container state. */
export function containerGlyph(state: ContainerState): { mark: string; color: string } {
  switch (state) {
    case 'running':
      return { mark: '●', color: theme.ok };
    case 'starting':
      return { mark: '◐', color: theme.warn };
    case 'stopped':
      return { mark: '○', color: theme.muted };
    case 'crashed':
      return { mark: '✗', color: theme.error };
  }
}
