import { errorMessage } from '../../src/errors.js';
import type { ToolSummary } from '../../src/protocol/session.js';
import { checkToolSchema } from '../../src/tools/index.js';
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
        // The same check the agent's tool set makes, so a listing says why a tool is kept from the model.
        const check = checkToolSchema({ server, name: t.name, description: t.description, inputSchema: t.inputSchema });
        tools.push({
          server,
          name: t.name,
          description: t.description ?? '',
          annotations: { ...(t.annotations ?? {}) },
          inputSchema: t.inputSchema,
          ...(check.ok ? {} : { refused: check.reason ?? 'unusable tool' }),
        });
      }
  });
  return { tools, failed };
}
