import path from 'node:path';
import type { EgressLab } from '../helpers/egress-lab.js';
import type { DaemonClient } from '../../tui/client/client.js';
import type { SessionEvent } from '../../src/protocol/events.js';

/** The target both grant tests fetch: a container on the lab's network, named by the lab's DNS stub. */
export const TARGET = 'alpha.egress.test';

/** A test server whose allowlist does not cover the target (it lists a name that is never used). */
export const NETSRV = {
  build: { npm: [path.resolve(import.meta.dirname, '../fixtures/test-server')] },
  command: 'mcpgw-test-server',
  network: { allow: ['api.example.com'] },
};

/** mcpd's test-only egress settings: out through the lab's network, names from its stub, its range reachable. */
export function egressEnv(lab: EgressLab): Record<string, string> {
  return {
    MCPGW_TEST_EGRESS: JSON.stringify({ networks: [lab.network.name], resolvers: [lab.stubIp], exempt: [lab.network.subnet] }),
  };
}

/**
 * A second session of the same server, driven over the API: the first session's grant does not reach it, so its
 * fetch is refused and a question of its own is asked (answered "deny" here).
 */
export async function secondSessionIsRefused(client: DaemonClient): Promise<{ text: string; asked: SessionEvent }> {
  const info = await client.request('session:create', { servers: ['netsrv'], policy: { preset: 'all' } });
  const asked = new Promise<SessionEvent>((resolve) =>
    client.socket.on('question:asked', (e: SessionEvent) => {
      if (e.sessionId === info.id) resolve(e);
    }),
  );
  await client.request('session:attach', { sessionId: info.id });
  const result = await client.request('tools:call', {
    sessionId: info.id,
    server: 'netsrv',
    tool: 'fetch',
    args: { url: `http://${TARGET}/second-session` },
  });
  const question = await asked;
  if (question.type === 'question:asked')
    await client.request('question:answer', { questionId: question.questionId, answer: { kind: 'network_grant', decision: 'deny' } });
  await client.request('session:kill', { sessionId: info.id });
  return { text: result.text, asked: question };
}
