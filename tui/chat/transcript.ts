import { stableCut } from '../components/streaming.js';
import { isOpen } from '../../src/view/items.js';
import type { ChatItem } from '../../src/view/types.js';

/** Something the chat itself says (command output, connection news), printed in the transcript. */
export interface Note {
  id: number;
  tone: 'info' | 'success' | 'warn' | 'error' | 'muted';
  text?: string;
  table?: { title?: string; headers: string[]; rows: string[][] };
  /** How many conversation items existed when the note was made: it prints after them. */
  position: number;
}

export type Entry =
  | { key: string; kind: 'item'; item: ChatItem; showOutput: boolean; text?: string; continued?: boolean }
  | { key: string; kind: 'note'; note: Note };

/**
 * What a terminal has printed for good (Ink's <Static>): settled items in order, notes where they were made, and the
 * settled paragraphs of text still streaming. Whatever is not here is drawn live below it.
 */
export interface Transcript {
  epoch: number;
  entries: Entry[];
  /** Items printed; items from here on are live. */
  items: number;
  notes: number;
  /** Characters of the first live item (streaming text) already printed. */
  partial: { key: string; chars: number } | undefined;
}

export function emptyTranscript(epoch: number): Transcript {
  return { epoch, entries: [], items: 0, notes: 0, partial: undefined };
}

/** Prints what has settled since the last call; returns the same object when nothing has. */
export function advanceTranscript(
  t: Transcript,
  input: { epoch: number; items: readonly ChatItem[]; notes: readonly Note[]; showOutput: boolean },
): Transcript {
  let next = input.epoch === t.epoch ? t : emptyTranscript(input.epoch);
  const add = (entry: Entry, change: Partial<Transcript>): void => {
    next = { ...next, ...change, entries: [...next.entries, entry] };
  };
  for (;;) {
    const item = input.items[next.items];
    const note = input.notes[next.notes];
    const settled = item !== undefined && !isOpen(item);
    if (item && settled && !(note && note.position <= next.items)) {
      const printed = next.partial?.key === item.key ? next.partial.chars : 0;
      const rest = item.kind === 'assistant' && printed > 0 ? { text: item.text.slice(printed), continued: true } : {};
      add(
        { key: printed > 0 ? `${item.key}:${printed}` : item.key, kind: 'item', item, showOutput: input.showOutput, ...rest },
        { items: next.items + 1, partial: undefined },
      );
      continue;
    }
    // A note waits for the items made before it, unless one of those is still open: then it prints above them.
    if (note) {
      add({ key: `note:${note.id}`, kind: 'note', note }, { notes: next.notes + 1 });
      continue;
    }
    break;
  }
  const live = input.items[next.items];
  if (live?.kind === 'assistant' && !live.done) {
    const printed = next.partial?.key === live.key ? next.partial.chars : 0;
    const cut = stableCut(live.text);
    if (cut > printed) {
      const entry: Entry = {
        key: `${live.key}:${printed}`,
        kind: 'item',
        item: live,
        showOutput: input.showOutput,
        text: live.text.slice(printed, cut),
        continued: printed > 0,
      };
      add(entry, { partial: { key: live.key, chars: cut } });
    }
  }
  return next;
}

/** The part of the first live item still to draw (streamed text minus its printed paragraphs). */
export function liveText(t: Transcript, item: ChatItem): { text: string; continued: boolean } | undefined {
  if (item.kind !== 'assistant') return undefined;
  const printed = t.partial?.key === item.key ? t.partial.chars : 0;
  return { text: item.text.slice(printed), continued: printed > 0 };
}
