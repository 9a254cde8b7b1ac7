import { mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import type { Attachment } from '../../../src/view/attachments.js';
import type { ToolCallItem } from '../../../src/view/types.js';
import { parseCommand } from '../../../tui/chat/commands.js';
import { writeAttachment } from '../../../tui/chat/open.js';
import { ToolCall } from '../../../tui/components/ToolCall.js';
import { HTML, PNG } from '../tools/media-fixtures.js';
import { plain } from './helpers.js';

const finished = {
  kind: 'tool',
  key: 'call:c1',
  seq: 1,
  ts: 1,
  callId: 'c1',
  turnId: 't1',
  origin: 'agent',
  server: 'everything',
  tool: 'get-tiny-image',
  args: {},
  status: 'succeeded',
  output: [],
  droppedOutput: 0,
  result: {
    ok: true,
    summary: "Here's the image you requested:",
    durationMs: 12,
    at: 1,
    items: [
      { type: 'image', mimeType: 'image/png', bytes: 2654, data: PNG, sentToModel: true, n: 1 },
      { type: 'image', mimeType: 'image/png', bytes: 38, sentToModel: false, note: 'its bytes are not image/png' },
      { type: 'resource', uri: 'demo://text/1', mimeType: 'text/plain', bytes: 5, text: 'hello', n: 2 },
      { type: 'resource_link', uri: 'demo://text/2\u202E', name: 'two\x1b[2J', size: 2048 },
    ],
    structured: '{\n  "temperature": 36\n}',
  },
} as ToolCallItem;

const media = (data: string): Attachment => ({
  n: 4,
  index: 0,
  callId: 'c1',
  server: 'everything',
  tool: 'get-tiny-image',
  kind: 'media',
  item: { type: 'image', mimeType: 'image/png', bytes: 48, data, sentToModel: true },
});

describe('rich results in the terminal', () => {
  it('lists each item with its type and size, the /open number, why one is not shown, and the structured content', () => {
    const frame = plain(render(<ToolCall call={finished} consoleOpen={false} />).lastFrame());
    expect(frame).toContain('▪ image image/png 2.6 KiB · sent to the model  /open 1');
    expect(frame).toContain('▪ image image/png 38 B · its bytes are not image/png');
    expect(frame).toContain('▪ resource demo://text/1 text/plain 5 B  /open 2');
    // The server's names are made inert like every other string it sends.
    expect(frame).toContain('▪ link two␛[2J demo://text/2⟦U+202E⟧ 2.0 KiB');
    expect(frame).toContain('▪ structured content: { "temperature": 36 }');
  });

  it('/open takes one attachment number', () => {
    expect(parseCommand('/open 3')).toEqual({ ok: true, command: { name: 'open', n: 3 } });
    for (const bad of ['/open', '/open x', '/open 0', '/open 1 2', '/open 1.5'])
      expect(parseCommand(bad), bad).toMatchObject({ ok: false, error: expect.stringContaining('usage: /open N') });
  });

  it('saves an image to a new file only the user can read, named by its checked type', async () => {
    const parent = mkdtempSync(path.join(tmpdir(), 'mcpgw-open-test-'));
    const file = await writeAttachment(media(PNG), parent);
    expect(path.basename(file)).toBe('attachment-4.png');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    expect(readFileSync(file).toString('base64')).toBe(PNG);
    const text = await writeAttachment(
      {
        n: 2,
        index: 0,
        callId: 'c1',
        server: 's',
        tool: 't',
        kind: 'text',
        item: { type: 'resource', uri: 'demo://a', bytes: 5, text: 'héllo' },
      },
      parent,
    );
    expect(path.basename(text)).toBe('attachment-2.txt');
    expect(readFileSync(text, 'utf8')).toBe('héllo');
  });

  it('refuses to save bytes that are not what they claim', async () => {
    const parent = mkdtempSync(path.join(tmpdir(), 'mcpgw-open-test-'));
    await expect(writeAttachment(media(HTML), parent)).rejects.toThrow('attachment 4 cannot be saved: its bytes are not image/png');
    expect(readdirSync(parent)).toEqual([]);
  });
});
