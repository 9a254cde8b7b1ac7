import type { EventSink } from './event-log.js';

/**
 * Tells a session something that happened outside any tool call (an image being built, a sandbox that crashed, tools
 * left out, a model retry). Notices travel as `tool:output` lines of stream `notice` with no call id; this is the one
 * place outside the tool-call module that may emit them (lint).
 */
export function notice(events: EventSink, sessionId: string, server: string, text: string): Promise<unknown> {
  return events.emit(sessionId, 'tool:output', { server, stream: 'notice', text });
}
