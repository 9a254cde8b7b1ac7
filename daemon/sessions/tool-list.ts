import { errorMessage } from '../../src/errors.js';
import type { ToolSummary } from '../../src/protocol/session.js';
import type { SandboxProvider } from '../calls/ports.js';
import type { SessionRecord } from '../store/ports.js';

/** Lists the tools of a session's servers for a client; a server that fails to start is reported, not fatal. */
export async function listSessionTools(
  sandboxes: SandboxProvider,
  rec: SessionRecord,
  servers = rec.servers,
): Promise<{ tools: ToolSummary[]; failed: Array<{ server: string; error: string }> }> {
  const results = await Promise.allSettled(
    servers.map(async (server) => ({ server, tools: await (await sandboxes.sandbox(rec, server)).listTools() })),
  );
  const tools: ToolSummary[] = [];
  const failed: Array<{ server: string; error: string }> = [];
  results.forEach((r, i) => {
    const server = servers[i] ?? '?';
    if (r.status === 'rejected') failed.push({ server, error: errorMessage(r.reason) });
    else
      for (const t of r.value.tools) {
        tools.push({
          server,
          name: t.name,
          description: t.description ?? '',
          annotations: { ...(t.annotations ?? {}) },
          inputSchema: t.inputSchema,
        });
      }
  });
  return { tools, failed };
}
