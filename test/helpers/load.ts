import { randomUUID } from 'node:crypto';
import type { DaemonClient } from '../../tui/client/client.js';

export interface LoadResult {
  sessions: number;
  callsPerSession: number;
  calls: number;
  crossTalk: number;
  errors: string[];
  wallMs: number;
  callsPerSecond: number;
  /** Per-call latency through the daemon, ms. */
  latencies: number[];
}

/**
 * N sessions, each from its own client, each calling echo with payloads only it knows; any reply carrying another
 * session's payload (or not its own) counts as cross-talk. Sessions (and their sandboxes) are started first, so
 * the clock measures calls, not container starts; they are killed at the end.
 */
export async function runLoad(connect: () => Promise<DaemonClient>, sessions: number, callsPerSession: number): Promise<LoadResult> {
  const clients = await Promise.all(Array.from({ length: sessions }, () => connect()));
  const errors: string[] = [];
  const latencies: number[] = [];
  let crossTalk = 0;
  const ready = await Promise.all(
    clients.map(async (client) => {
      const session = await client.request('session:create', { servers: ['testsrv'] });
      await client.request('tools:call', { sessionId: session.id, server: 'testsrv', tool: 'echo', args: { message: 'warm up' } }, 180_000);
      return session;
    }),
  );
  const started = performance.now();
  await Promise.all(
    clients.map(async (client, i) => {
      const session = ready[i]!;
      try {
        for (let n = 0; n < callsPerSession; n++) {
          const payload = `s${i}-n${n}-${randomUUID()}`;
          const t0 = performance.now();
          const result = await client.request(
            'tools:call',
            { sessionId: session.id, server: 'testsrv', tool: 'echo', args: { message: payload } },
            180_000,
          );
          latencies.push(performance.now() - t0);
          if (result.text !== `echo: ${payload}`) crossTalk++;
        }
      } catch (err) {
        errors.push((err as Error).message);
      } finally {
        await client.request('session:kill', { sessionId: session.id }).catch((err: unknown) => errors.push((err as Error).message));
        client.close();
      }
    }),
  );
  const wallMs = performance.now() - started;
  const calls = latencies.length;
  return { sessions, callsPerSession, calls, crossTalk, errors, wallMs, callsPerSecond: (calls / wallMs) * 1000, latencies };
}
