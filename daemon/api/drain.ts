import type { Socket } from 'socket.io';

/**
 * Resolves once the socket has handed what it was given to the network: right away (after a turn of the event
 * loop) when its transport is writable, else at the transport's next `drain`. A replay waits on this between pages,
 * so a slow client holds one page in mcpd's memory, not a whole log.
 */
export function drained(socket: Socket): Promise<void> {
  const transport = socket.conn.transport;
  if (transport.writable || socket.disconnected) return new Promise((resolve) => setImmediate(resolve));
  return new Promise((resolve) => {
    const done = (): void => {
      transport.off('drain', done);
      socket.off('disconnect', done);
      resolve();
    };
    transport.once('drain', done);
    socket.once('disconnect', done);
  });
}
