import type { Socket } from 'socket.io';
import type { z } from 'zod';
import type { ClientToServerEvents, RequestName, ServerToClientEvents } from '../../src/protocol/events.js';
import { REQUEST_SCHEMAS } from '../../src/protocol/requests.js';
import { fail, ok, toWireError, type Result } from '../../src/protocol/result.js';
import type { Logger } from '../logger.js';

type Schemas = typeof REQUEST_SCHEMAS;
type AckValue<K extends RequestName> = Parameters<ClientToServerEvents[K]>[1] extends (result: Result<infer T>) => void ? T : never;

export interface RequestContext {
  user: string;
  socket: Socket<ClientToServerEvents, ServerToClientEvents>;
  /** Where this API listens (the daemon's own URL). */
  url: string;
}

/** One handler per request: gets the validated payload, returns the ack's value or throws. */
export type Handlers = { [K in RequestName]: (ctx: RequestContext, request: z.output<Schemas[K]>) => Promise<AckValue<K>> };

/**
 * Wires handlers to a socket: every payload is validated with its zod schema, every failure becomes an error ack
 * with a wire code, and an unknown event or a missing ack never reaches a handler.
 */
export function bindHandlers(socket: RequestContext['socket'], user: string, handlers: Handlers, log: Logger, url: string): void {
  const ctx: RequestContext = { user, socket, url };
  for (const name of Object.keys(REQUEST_SCHEMAS) as RequestName[]) {
    socket.on(name, (async (...args: unknown[]) => {
      const ack = args.at(-1);
      if (typeof ack !== 'function' || args.length > 2) {
        if (typeof ack === 'function') ack(fail('bad_request', `${name} takes one payload and an acknowledgement`));
        return;
      }
      const reply = ack as (result: Result<unknown>) => void;
      const parsed = REQUEST_SCHEMAS[name].safeParse(args.length === 2 ? args[0] : undefined);
      if (!parsed.success) {
        reply(
          fail(
            'bad_request',
            `invalid ${name} payload: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(payload)'}: ${i.message}`).join('; ')}`,
          ),
        );
        return;
      }
      try {
        const handler = handlers[name] as (ctx: RequestContext, request: unknown) => Promise<unknown>;
        reply(ok(await handler(ctx, parsed.data)));
      } catch (err) {
        const wire = toWireError(err);
        if (wire.code === 'internal') log.error('request failed', { request: name, user, err });
        reply({ ok: false, error: wire });
      }
    }) as never);
  }
  socket.onAny((event: unknown, ...args: unknown[]) => {
    if (typeof event === 'string' && Object.hasOwn(REQUEST_SCHEMAS, event)) return;
    const ack = args.at(-1);
    if (typeof ack === 'function')
      (ack as (r: Result<never>) => void)(fail('bad_request', `unknown request "${String(event).slice(0, 64)}"`));
  });
}
