import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { McpgwError } from '../../../src/errors.js';
import type { ModelEvent } from '../../../daemon/agent/model/index.js';

/** Drains a model stream; returns the events and the error that ended it, if any. */
export async function drain(stream: AsyncIterable<ModelEvent>): Promise<{ events: ModelEvent[]; error?: McpgwError }> {
  const events: ModelEvent[] = [];
  try {
    for await (const event of stream) events.push(event);
    return { events };
  } catch (err) {
    if (!(err instanceof McpgwError)) throw err;
    return { events, error: err };
  }
}

/** Drains a stream that must succeed. */
export async function collect(stream: AsyncIterable<ModelEvent>): Promise<ModelEvent[]> {
  const { events, error } = await drain(stream);
  if (error !== undefined) throw error;
  return events;
}

/** The done event of a finished stream. */
export function doneOf(events: ModelEvent[]): Extract<ModelEvent, { type: 'done' }> {
  const done = events.at(-1);
  if (done?.type !== 'done') throw new Error(`stream did not end with done: ${JSON.stringify(events)}`);
  return done;
}

/** A base URL nothing listens on: a port that was just bound and released. */
export async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}
