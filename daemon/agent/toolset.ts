import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { compileTools, toFunctionDeclaration, type CompiledToolSet, type FunctionDeclarationJson } from '../../src/tools/index.js';
import type { SandboxProvider, ToolHost } from '../calls/ports.js';
import type { ToolPins } from '../pins/service.js';
import type { SessionRecord } from '../store/ports.js';

export interface SessionToolset {
  compiled: CompiledToolSet;
  declarations: FunctionDeclarationJson[];
  annotations: (server: string, tool: string) => Record<string, unknown>;
  /** Servers whose tools could not be listed (a start failure), with why. */
  unavailable: Array<{ server: string; error: string }>;
}

/**
 * The tools a session offers the model, and the sandboxes its calls use. A server's tool list is cached per server
 * (re-reading one for a stopped server means starting a container), and re-read whenever one of its sandboxes starts
 * and whenever a running one says its list changed, so a changed tool is seen: every listing goes to the session's
 * tool pins, which mark a tool that differs from what the session first saw (or a person last approved).
 */
export class ToolCatalog implements SandboxProvider {
  private readonly cache = new Map<string, Tool[]>();
  private readonly seen = new WeakSet<ToolHost>();
  /** Re-listings under way per session and server: the next model round waits for them (it must see a change). */
  private readonly relisting = new Map<string, Promise<unknown>>();

  constructor(
    private readonly sandboxes: SandboxProvider,
    private readonly pins: Pick<ToolPins, 'observe' | 'track'>,
  ) {}

  /** The session's sandbox for a server; a sandbox seen for the first time has its tools re-listed (and pinned). */
  async sandbox(rec: SessionRecord, server: string, signal?: AbortSignal): Promise<ToolHost> {
    const host = await this.sandboxes.sandbox(rec, server, signal);
    if (!this.seen.has(host)) {
      this.seen.add(host);
      host.onToolsChanged?.(() => void this.relist(rec, server, host));
      await this.relist(rec, server, host);
    }
    return host;
  }

  /** The session's tools as the model sees them (compiled to Gemini's schema subset), and what was left out. */
  async forSession(rec: SessionRecord, signal?: AbortSignal): Promise<SessionToolset> {
    const unavailable: SessionToolset['unavailable'] = [];
    const lists = await Promise.all(
      rec.servers.map(async (server) => {
        try {
          await this.relisting.get(`${rec.id}\u0000${server}`);
          if (!this.cache.has(server)) {
            const host = await this.sandbox(rec, server, signal);
            // The re-listing on start failed (it does not fail a call): list again, so this one says why.
            if (!this.cache.has(server)) this.cache.set(server, await host.listTools());
          }
          const tools = this.cache.get(server) ?? [];
          await this.pins.observe(rec, server, tools);
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

  /** Re-reads a sandbox's tools into the cache and the session's pins; calls of that server wait for it. */
  private relist(rec: SessionRecord, server: string, host: ToolHost): Promise<unknown> {
    const key = `${rec.id}\u0000${server}`;
    const done = this.pins.track(
      rec.id,
      server,
      (async () => {
        const tools = await host.listTools();
        this.cache.set(server, tools);
        await this.pins.observe(rec, server, tools);
      })(),
    );
    this.relisting.set(key, done);
    void done.then(() => this.relisting.get(key) === done && this.relisting.delete(key));
    return done;
  }
}
