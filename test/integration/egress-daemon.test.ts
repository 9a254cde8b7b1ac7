import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DockerNetworks } from '../../daemon/egress/docker-networks.js';
import type { DaemonClient } from '../../tui/client/client.js';
import { engine } from '../helpers/docker.js';
import { startTestDaemon, type TestDaemon } from '../helpers/daemon.js';
import { EventRecorder } from '../helpers/events.js';

// mcpd's own wiring: a server with an allowlist runs behind the gateway, and what the gateway decides reaches the
// tool's console and the audit stream. Only a refused name is used (the npm registry's): nothing leaves the machine.
const DENIED = 'registry.npmjs.org';
let t: TestDaemon;
let client: DaemonClient;

beforeAll(async () => {
  t = await startTestDaemon({
    config: {
      mcpServers: {
        netsrv: { build: { npm: ['./test-server'] }, command: 'mcpgw-test-server', network: { allow: ['api.example.com'] } },
      },
    },
  });
  client = await t.client();
});

afterAll(async () => {
  const instance = t?.daemon.instance;
  await t?.stop();
  const networks = (await new DockerNetworks(engine.docker).listManaged()).filter((n) => n.labels['mcpgw.instance'] === instance);
  expect(networks).toEqual([]);
  expect((await engine.listManaged({ 'mcpgw.kind': 'egress-gateway' })).filter((c) => c.labels['mcpgw.instance'] === instance)).toEqual([]);
});

describe('egress through mcpd', () => {
  it('shows a refused name in the tool’s console and the audit stream, and tells the tool it does not exist', async () => {
    const info = await client.request('session:create', { servers: ['netsrv'], policy: { preset: 'all' } });
    const events = new EventRecorder(client);
    await client.request('session:attach', { sessionId: info.id });
    const result = await client.request('tools:call', {
      sessionId: info.id,
      server: 'netsrv',
      tool: 'fetch',
      args: { url: `https://${DENIED}/` },
    });
    // mcpd may add that the user was asked to allow it (see egress-grant.test.ts).
    expect(result).toMatchObject({ ok: false, text: expect.stringMatching(/^fetch failed: ENOTFOUND/) });
    const line = await events.waitFor((e) => e.type === 'tool:output' && e.text.startsWith('[egress]'));
    expect(line).toMatchObject({
      server: 'netsrv',
      stream: 'log',
      callId: result.callId,
      text: `[egress] DENIED lookup of ${DENIED}: not in the allowlist — to allow it, add "${DENIED}" to mcpServers.netsrv.network.allow`,
    });
    const audit = await client.request('audit:list', { sessionId: info.id });
    expect(audit.filter((e) => e.kind === 'egress')).toEqual([
      expect.objectContaining({
        server: 'netsrv',
        host: DENIED,
        via: 'dns',
        allowed: false,
        reason: 'not_allowed',
        user: expect.any(String),
      }),
    ]);
  });

  it('lists the server with its allowlist', async () => {
    const servers = await client.request('servers:list', {});
    expect(servers.find((s) => s.name === 'netsrv')).toMatchObject({
      network: 'allow api.example.com',
      loosened: ['network allow api.example.com'],
    });
  });
});
