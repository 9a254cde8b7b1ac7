import { PassThrough, Writable } from 'node:stream';
import Docker from 'dockerode';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { OutputBudget } from '../../../daemon/sandbox/output-budget.js';
import { DockerStreamTransport, MESSAGE_TOO_LARGE_CODE } from '../../../daemon/sandbox/transport.js';

function harness(options: { maxMessageBytes?: number; stdin?: Writable; budget?: OutputBudget } = {}) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const stdin = options.stdin ?? new PassThrough();
  const messages: JSONRPCMessage[] = [];
  const errors: Error[] = [];
  const stderrLines: string[] = [];
  const transport = new DockerStreamTransport({
    stdin,
    stdout,
    stderr,
    onStderrLine: (line) => stderrLines.push(line),
    ...(options.budget ? { budget: options.budget } : {}),
    ...(options.maxMessageBytes ? { maxMessageBytes: options.maxMessageBytes } : {}),
  });
  transport.onmessage = (m) => messages.push(m);
  transport.onerror = (e) => errors.push(e);
  return { transport, stdout, stderr, stdin, messages, errors, stderrLines };
}

/** Lets queued stream events and microtasks run. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Docker's multiplexed attach format: an 8-byte header (stream type, 0, 0, 0, uint32 length) per frame. */
function dockerFrames(stream: 1 | 2, payload: Buffer, frameSize = 32 * 1024): Buffer {
  const frames: Buffer[] = [];
  for (let offset = 0; offset < payload.length; offset += frameSize) {
    const body = payload.subarray(offset, offset + frameSize);
    const header = Buffer.alloc(8);
    header.writeUInt8(stream, 0);
    header.writeUInt32BE(body.length, 4);
    frames.push(header, body);
  }
  return Buffer.concat(frames);
}

const response = (id: number, text: string): JSONRPCMessage => ({ jsonrpc: '2.0', id, result: { content: [{ type: 'text', text }] } });

describe('DockerStreamTransport', () => {
  it('parses a message split across chunks and several messages in one chunk', async () => {
    const h = harness();
    await h.transport.start();
    const a = JSON.stringify(response(1, 'one'));
    h.stdout.write(a.slice(0, 10));
    h.stdout.write(`${a.slice(10)}\n${JSON.stringify(response(2, 'two'))}\n${JSON.stringify(response(3, 'three'))}\n`);
    await settle();
    expect(h.messages).toEqual([response(1, 'one'), response(2, 'two'), response(3, 'three')]);
    expect(h.errors).toEqual([]);
  });

  it('reassembles a 200 KB message demultiplexed from 32 KB Docker frames with stderr interleaved', async () => {
    const h = harness();
    await h.transport.start();
    const raw = new PassThrough();
    new Docker().modem.demuxStream(raw, h.stdout, h.stderr);
    const big = Buffer.from(`${JSON.stringify(response(5, 'z'.repeat(200 * 1024)))}\n`);
    const frames = dockerFrames(1, big);
    const noise = dockerFrames(2, Buffer.from('warming up\nstill warming\n'));
    // Feed the multiplexed bytes in odd-sized pieces, with a stderr frame between two stdout frames.
    const firstFrameEnd = 8 + 32 * 1024;
    const wire = Buffer.concat([frames.subarray(0, firstFrameEnd), noise, frames.subarray(firstFrameEnd)]);
    for (let i = 0; i < wire.length; i += 7001) raw.write(wire.subarray(i, i + 7001));
    await settle();
    expect(h.messages).toEqual([response(5, 'z'.repeat(200 * 1024))]);
    expect(h.stderrLines).toEqual(['warming up', 'still warming']);
  });

  it('reports a non-JSON stdout line and keeps reading', async () => {
    const h = harness();
    await h.transport.start();
    h.stdout.write(`Server starting on stdio...\n${JSON.stringify(response(1, 'ok'))}\n{"jsonrpc":"2.0","bogus":true}\n`);
    await settle();
    expect(h.messages).toEqual([response(1, 'ok')]);
    expect(h.errors.map((e) => e.message)).toEqual([
      'server wrote a non JSON-RPC line to stdout: Server starting on stdio...',
      'server wrote a non JSON-RPC line to stdout: {"jsonrpc":"2.0","bogus":true}',
    ]);
  });

  it('never parses stderr, even when it looks like JSON-RPC', async () => {
    const h = harness();
    await h.transport.start();
    h.stderr.write(`${JSON.stringify(response(1, 'fake'))}\n`);
    await settle();
    expect(h.messages).toEqual([]);
    expect(h.stderrLines).toEqual([JSON.stringify(response(1, 'fake'))]);
  });

  it('drops a message over the cap and answers its request with a clear error', async () => {
    const h = harness({ maxMessageBytes: 1024 });
    await h.transport.start();
    h.stdout.write(`${JSON.stringify(response(9, 'q'.repeat(5000)))}\n${JSON.stringify(response(10, 'small'))}\n`);
    await settle();
    expect(h.messages).toEqual([
      {
        jsonrpc: '2.0',
        id: 9,
        error: {
          code: MESSAGE_TOO_LARGE_CODE,
          message: expect.stringMatching(/message of 5\.0 KiB exceeds the 1\.0 KiB cap and was dropped/),
        },
      },
      response(10, 'small'),
    ]);
    expect(h.errors.map((e) => (e as { code?: string }).code)).toEqual(['message_too_large']);
  });

  it('delivers a notification before the response that follows it in the same chunk', async () => {
    const h = harness();
    await h.transport.start();
    const order: string[] = [];
    h.transport.onmessage = (m) => {
      // Mimic the SDK: notification handlers run a microtask later, responses at once.
      if ('method' in m) void Promise.resolve().then(() => order.push(m.method));
      else order.push('response');
    };
    const notification = { jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: 1, progress: 1 } };
    h.stdout.write(`${JSON.stringify(notification)}\n${JSON.stringify(response(1, 'done'))}\n`);
    await settle();
    expect(order).toEqual(['notifications/progress', 'response']);
  });

  it('keeps that order when the two arrive as separate chunks in the same tick (as the demuxer writes them)', async () => {
    const h = harness();
    await h.transport.start();
    const order: string[] = [];
    h.transport.onmessage = (m) => {
      if ('method' in m) void Promise.resolve().then(() => order.push(m.method));
      else order.push('response');
    };
    const notification = { jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: 1, progress: 1 } };
    h.stdout.write(`${JSON.stringify(notification)}\n`);
    h.stdout.write(`${JSON.stringify(response(1, 'done'))}\n`);
    await settle();
    expect(order).toEqual(['notifications/progress', 'response']);
  });

  it('waits for drain when stdin is full', async () => {
    const written: string[] = [];
    let release: (() => void) | undefined;
    const stdin = new Writable({
      highWaterMark: 16,
      write(chunk: Buffer, _enc, callback) {
        written.push(chunk.toString());
        release = callback;
      },
    });
    const h = harness({ stdin });
    await h.transport.start();
    let sent = false;
    const sending = h.transport.send({ jsonrpc: '2.0', id: 1, method: 'ping' }).then(() => (sent = true));
    await settle();
    expect(written).toHaveLength(1);
    expect(sent).toBe(false);
    release?.();
    await sending;
    expect(sent).toBe(true);
  });

  it('closes when stdout ends, keeping the last stderr lines for the crash report', async () => {
    const h = harness();
    let closed = 0;
    h.transport.onclose = () => closed++;
    await h.transport.start();
    h.stderr.write('fatal: something broke\nno newline at the end');
    await settle();
    h.stdout.end();
    await settle();
    expect(closed).toBe(1);
    expect(h.transport.stderrLog.tail()).toEqual(['fatal: something broke', 'no newline at the end']);
    await expect(h.transport.send({ jsonrpc: '2.0', id: 2, method: 'ping' })).rejects.toMatchObject({ code: 'sandbox_crashed' });
  });

  it('close() ends stdin, then escalates to SIGTERM and SIGKILL when the server does not exit', async () => {
    const stdout = new PassThrough();
    const stdin = new PassThrough();
    const signals: string[] = [];
    const transport = new DockerStreamTransport({
      stdin,
      stdout,
      closeGraceMs: 10,
      terminate: async (signal) => {
        signals.push(signal);
        if (signal === 'SIGKILL') stdout.end();
      },
    });
    let closed = false;
    transport.onclose = () => (closed = true);
    await transport.start();
    await transport.close();
    expect(stdin.writableEnded).toBe(true);
    expect(signals).toEqual(['SIGTERM', 'SIGKILL']);
    expect(closed).toBe(true);
  });

  it('close() stops at stdin EOF when the server exits by itself', async () => {
    const stdout = new PassThrough();
    const stdin = new PassThrough();
    stdin.on('finish', () => stdout.end());
    stdout.resume();
    const signals: string[] = [];
    const transport = new DockerStreamTransport({ stdin, stdout, closeGraceMs: 1000, terminate: async (s) => void signals.push(s) });
    await transport.start();
    await transport.close();
    expect(signals).toEqual([]);
  });

  it('forwards stderr lines within the output budget, summarises the rest, and keeps them all in the tail', async () => {
    const summaries: string[] = [];
    // A clock that stands still: the burst (4 s of 50 lines/s) is all there is.
    const budget = new OutputBudget(
      { bytesPerSecond: 1024 * 1024, linesPerSecond: 50 },
      (l) => summaries.push(l),
      () => 0,
    );
    const h = harness({ budget });
    await h.transport.start();
    h.stderr.write(Array.from({ length: 500 }, (_, i) => `line ${i}`).join('\n') + '\n');
    await settle();
    expect(h.stderrLines).toHaveLength(200);
    expect(h.stderrLines.at(-1)).toBe('line 199');
    expect(h.transport.stderrLog.tail(1)).toEqual(['line 499']);
    budget.close();
    expect(summaries).toEqual(['[mcpgw] … 300 lines (2.3 KiB) of server output dropped (over the budget of 1.0 MiB/s and 50 lines/s)']);
  });

  it('drops log and progress notifications unparsed while the budget is exhausted, never a response', async () => {
    const budget = new OutputBudget(
      { bytesPerSecond: 1024 * 1024, linesPerSecond: 1 },
      () => undefined,
      () => 0,
    );
    const h = harness({ budget });
    await h.transport.start();
    const log = (i: number): string =>
      JSON.stringify({ method: 'notifications/message', params: { level: 'info', data: `log ${i}` }, jsonrpc: '2.0' });
    h.stdout.write(`${log(0)}\n`);
    await settle();
    expect(h.messages).toHaveLength(1);
    // The sandbox charges what it parses; here the budget (a burst of 4 lines) is spent as if it had.
    for (let i = 0; i < 4; i++) budget.admit('spent');
    h.messages.length = 0;
    h.stdout.write(
      `${log(1)}\n${JSON.stringify(response(7, 'the answer'))}\n{"jsonrpc":"2.0","method":"notifications/message","params":{}}\n` +
        `${JSON.stringify({ method: 'notifications/progress', params: { progressToken: 1, progress: 1 }, jsonrpc: '2.0' })}\n`,
    );
    await settle();
    expect(h.messages).toEqual([response(7, 'the answer')]);
    expect(h.errors).toEqual([]);
  });
});
