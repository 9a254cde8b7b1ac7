import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { compileTools, toFunctionDeclaration, type CompiledToolSet, type FunctionDeclarationJson } from '../../src/tools/index.js';
import type { SandboxProvider } from '../calls/ports.js';
import type { SessionRecord } from '../store/ports.js';

export interface SessionToolset {
  compiled: CompiledToolSet;
  declarations: FunctionDeclarationJson[];
  annotations: (server: string, tool: string) => Record<string, unknown>;
  /** Servers whose tools could not be listed (a start failure), with why. */
  unavailable: Array<{ server: string; error: string }>;
}

/**
 * The tools a session offers the model. A server's tool list is cached per server for the daemon's life (tool lists
 * rarely change and re-reading one means starting a container), so a sandbox starts only when a tool is called.
 */
export class ToolCatalog {
  private readonly cache = new Map<string, Tool[]>();

  constructor(private readonly sandboxes: SandboxProvider) {}

  /** The session's tools as the model sees them (compiled to Gemini's schema subset), and what was left out. */
  async forSession(rec: SessionRecord, signal?: AbortSignal): Promise<SessionToolset> {
    const unavailable: SessionToolset['unavailable'] = [];
    const lists = await Promise.all(
      rec.servers.map(async (server) => {
        const cached = this.cache.get(server);
        if (cached) return { server, tools: cached };
        try {
          const tools = await (await this.sandboxes.sandbox(rec, server, signal)).listTools();
          this.cache.set(server, tools);
          return { server, tools };
        } catch (err) {
          unavailable.push({ server, error: (err as Error).message });
          return { server, tools: [] as Tool[] };
        }
      }),
    );
    const compiled = compileTools(
      lists.flatMap(({ server, tools }) =>
        tools.map((t) => ({
          server,
          name: t.name,
          description: t.description,
          inputSchema: t.inputSchema,
          annotations: t.annotations as Record<string, unknown> | undefined,
        })),
      ),
    );
    const annotations = new Map(compiled.tools.map((t) => [`${t.server}\u0000${t.tool}`, t.annotations ?? {}]));
    return {
      compiled,
      declarations: compiled.tools.map(toFunctionDeclaration),
      annotations: (server, tool) => annotations.get(`${server}\u0000${tool}`) ?? {},
      unavailable,
    };
  }
}
