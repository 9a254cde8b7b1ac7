import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import {
  ErrorCode,
  LoggingMessageNotificationSchema,
  McpError,
  ToolListChangedNotificationSchema,
  type CallToolResult,
  type ServerCapabilities,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';
import type { RequestOptions } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type { ServerConfig } from '../../src/config/catalog.js';
import { McpgwError, errorMessage } from '../../src/errors.js';
import { VERSION } from '../../src/version.js';
import type { AttachedStdio, ExitStatus } from './engine.js';
import { explainFailure, raceExit, type SandboxExit } from './failure.js';
import { createSandboxContainer, type ContainerInput, type CreatedContainer } from './container.js';
import { Deadline } from './deadline.js';
import { IdleTimer } from './idle-timer.js';
import { OutputBudget } from './output-budget.js';
import { connectPeer, peerCapabilities, type SandboxPeer } from './peer.js';
import { DockerStreamTransport } from './transport.js';

export type SandboxState = 'starting' | 'ready' | 'exited' | 'closed';
export type { SandboxExit } from './failure.js';

/** What a sandbox is made of: its container's input (container.ts) and how mcpd speaks to it. */
export interface SandboxOptions extends ContainerInput {
  maxMessageBytes: number;
  startTimeoutMs: number;
  closeGraceMs?: number;
  /** Answers the server's own requests (elicitation, sampling, roots); without it mcpd declares none of them. */
  peer?: SandboxPeer | undefined;
  /** Server output for people (stderr, MCP log notifications, SDK errors) that fits the output budget. Never parsed. */
  onLog?: (line: string) => void;
  onExit?: (exit: SandboxExit) => void;
}

export interface CallOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
  maxTotalTimeoutMs?: number;
  /** Progress within the output budget (what is over it is dropped, unparsed, and restarts no timeout). */
  onProgress?: (progress: { progress: number; total?: number | undefined; message?: string | undefined }) => void;
  /** Receives a way to stop the per-call timeout while the server waits for a person (its elicitation or sampling). */
  onHold?: (hold: () => () => void) => void;
}

/** One MCP server in one locked-down container, spoken to over attached stdio. */
export class Sandbox implements AsyncDisposable {
  private stateValue: SandboxState = 'starting';
  private closing: Promise<void> | undefined;
  private exitInfo: SandboxExit | undefined;
  readonly exited: Promise<SandboxExit>;
  readonly startedAt = Date.now();
  lastUsedAt = Date.now();
  /** Requests in flight; the idle reaper never takes a sandbox that is working. */
  inFlight = 0;
  private boundSession: string;
  private readonly toolsChanged = new Set<() => void>();

  private constructor(
    private readonly opts: Omit<SandboxOptions, 'launch'>,
    readonly containerId: string,
    readonly client: Client,
    readonly transport: DockerStreamTransport,
    private readonly budget: OutputBudget,
    exitStatus: Promise<ExitStatus>,
  ) {
    this.boundSession = opts.sessionId;
    this.exited = exitStatus.then((status) => {
      budget.close();
      this.exitInfo = { ...status, stderrTail: transport.stderrLog.tail(), expected: this.closing !== undefined };
      if (this.stateValue !== 'closed') this.stateValue = 'exited';
      opts.onExit?.(this.exitInfo);
      return this.exitInfo;
    });
  }

  get server(): ServerConfig {
    return this.opts.server;
  }

  /** The engine runtime this sandbox runs under (`runc`, `runsc`, `runsc-net`…), for status displays. */
  get runtime(): string {
    return this.opts.placement?.runtime.name ?? 'default';
  }

  /** The session this sandbox serves (a warm-pool sandbox is bound to one when it is handed out, never again). */
  get sessionId(): string {
    return this.boundSession;
  }

  /** Binds a pooled sandbox to the session that takes it. */
  bind(sessionId: string): void {
    this.boundSession = sessionId;
  }

  get state(): SandboxState {
    return this.stateValue;
  }

  /** Creates, attaches, starts and initializes; on any failure the container is removed and a clear error thrown. */
  static async start(opts: SandboxOptions): Promise<Sandbox> {
    const { launch: _resolved, ...kept } = opts;
    return Sandbox.boot(await createSandboxContainer(opts), kept);
  }

  /**
   * Attaches, starts and initializes a created container (a fresh one, or a standby made earlier from the same
   * launch); on any failure the container is removed and a clear error thrown.
   */
  static async boot(created: CreatedContainer, opts: Omit<SandboxOptions, 'launch'>): Promise<Sandbox> {
    const { engine, server } = opts;
    const { id, name: containerName } = created;
    let transport: DockerStreamTransport | undefined;
    let stdio: AttachedStdio | undefined;
    const log = (line: string): void => opts.onLog?.(line);
    // One budget for everything the server makes people read: stderr, log notifications, progress, error text.
    const { outputBytesPerSecond: bytesPerSecond, outputLinesPerSecond: linesPerSecond } = server.limits;
    const budget = new OutputBudget({ bytesPerSecond, linesPerSecond }, log);
    const admit = (text: () => string): void => {
      if (budget.refuses()) return budget.drop(0);
      const line = budget.admit(text());
      if (line !== undefined) log(line);
    };
    try {
      stdio = await engine.attach(id);
      const waited = engine.waitForExit(id);
      // If start fails, nothing awaits `waited`: its rejection (a dropped engine connection) must not go unhandled.
      waited.catch(() => undefined);
      await engine.start(id);
      transport = new DockerStreamTransport({
        ...stdio,
        maxMessageBytes: opts.maxMessageBytes,
        onStderrLine: log,
        budget,
        terminate: (signal) => engine.kill(id, signal),
        closeGraceMs: opts.closeGraceMs,
      });
      const exitStatus = raceExit(engine, id, waited, transport);
      const client = new Client({ name: 'mcpgw', version: VERSION }, { capabilities: peerCapabilities(opts.peer) });
      client.setNotificationHandler(LoggingMessageNotificationSchema, (n) =>
        admit(() => {
          const data = typeof n.params.data === 'string' ? n.params.data : JSON.stringify(n.params.data);
          return `[${n.params.level}${n.params.logger ? ` ${n.params.logger}` : ''}] ${data}`;
        }),
      );
      // SDK errors may quote a whole message the server sent: they are server output too.
      client.onerror = (err) => admit(() => `[mcpgw] ${err.message}`);
      // The sandbox keeps its options for its life; the resolved secrets were never among them.
      const sandbox = new Sandbox(opts, id, client, transport, budget, exitStatus);
      // Never trusted as content: it only makes mcpgw list the tools again (and compare them with the session's pins).
      client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
        for (const listener of sandbox.toolsChanged) listener();
      });
      connectPeer(client, opts.peer, () => ({ sessionId: sandbox.sessionId, server: server.name }));
      try {
        await client.connect(transport, { timeout: opts.startTimeoutMs });
      } catch (err) {
        throw await sandbox.explain(err, 'initialize');
      }
      sandbox.stateValue = 'ready';
      return sandbox;
    } catch (err) {
      budget.close();
      await transport?.close().catch(() => undefined);
      // Before the transport owns it, the attach socket is ours to close: left open it keeps the process alive.
      if (!transport) stdio?.stdin.destroy();
      const left = await engine.remove(id).then(
        () => undefined,
        () => `; container ${containerName} could not be removed now (it is labelled: the orphan purge when mcpd next starts removes it)`,
      );
      if (err instanceof McpgwError)
        throw left ? new McpgwError(err.code, `${err.message}${left}`, { cause: err.cause, details: err.details }) : err;
      throw new McpgwError('sandbox_start_failed', `starting "${server.name}" failed: ${errorMessage(err)}${left ?? ''}`, { cause: err });
    }
  }

  /** Calls `listener` whenever the server says its tool list changed (notifications/tools/list_changed). */
  onToolsChanged(listener: () => void): void {
    this.toolsChanged.add(listener);
  }

  async listTools(): Promise<Tool[]> {
    const tools: Tool[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.request(() => this.client.listTools(cursor === undefined ? {} : { cursor }), 'tools/list');
      tools.push(...page.tools);
      cursor = page.nextCursor;
    } while (cursor);
    return tools;
  }

  /** What the server said it offers when it initialised (resources, prompts, completions, logging). */
  get capabilities(): ServerCapabilities {
    return this.client.getServerCapabilities() ?? {};
  }

  /**
   * Any request other than a tool call (resources, prompts, completion, log level), under the server's per-call
   * timeout, with failures explained like a call's. What comes back is the server's: the caller bounds it.
   */
  ask<T>(what: string, run: (client: Client, options: RequestOptions) => Promise<T>): Promise<T> {
    const timeout = this.opts.server.timeoutMs;
    return this.request(() => run(this.client, { timeout, maxTotalTimeout: timeout }), what, timeout);
  }

  /**
   * Calls a tool; failures come back as McpgwError with a code that says why (crash, OOM, timeout, size, cancel).
   * Progress restarts the per-call timeout, never the total one: reporting progress cannot keep a call alive forever.
   */
  async callTool(name: string, args: Record<string, unknown>, options: CallOptions = {}): Promise<CallToolResult> {
    const timeout = options.timeoutMs ?? this.opts.server.timeoutMs;
    const total = Math.max(timeout, options.maxTotalTimeoutMs ?? this.opts.server.maxTotalTimeoutMs);
    const what = `tools/call ${name}`;
    const deadline = new Deadline(total, options.signal);
    // The per-call timeout is ours, not the SDK's, so a person answering the server's question can stop it.
    const idle = new IdleTimer(timeout, deadline.signal);
    options.onHold?.(() => idle.hold());
    const onProgress = options.onProgress;
    // Progress within the budget restarts the per-call timeout (only callers that listen ask the server for it).
    const onprogress: ProgressCallback | undefined =
      onProgress &&
      ((p) => {
        idle.restart();
        const message = this.budget.admit(p.message ?? '');
        if (message !== undefined) onProgress({ ...p, message: p.message === undefined ? undefined : message });
      });
    try {
      const result = await this.request(
        () =>
          this.client.callTool({ name, arguments: args }, undefined, {
            // The SDK's own timer is a backstop behind ours (the idle timer and the Deadline fire first, with their reasons).
            timeout: total + 1000,
            signal: idle.signal,
            ...(onprogress ? { onprogress } : {}),
          }),
        what,
        timeout,
        options.signal,
      );
      return result as CallToolResult;
    } catch (err) {
      throw options.signal?.aborted ? err : deadline.explain(err, `"${this.opts.server.name}" ${what}`);
    } finally {
      idle.clear();
      deadline.clear();
    }
  }

  private async request<T>(run: () => Promise<T>, what: string, timeoutMs?: number, signal?: AbortSignal): Promise<T> {
    if (this.stateValue !== 'ready') throw await this.explain(new McpError(ErrorCode.ConnectionClosed, 'not running'), what);
    this.lastUsedAt = Date.now();
    this.inFlight++;
    try {
      return await run();
    } catch (err) {
      // The SDK reports an abort as a timeout; the caller's signal tells them apart.
      if (signal?.aborted) throw new McpgwError('cancelled', `"${this.opts.server.name}" ${what} was cancelled`, { cause: err });
      throw await this.explain(err, what, timeoutMs);
    } finally {
      this.inFlight--;
      this.lastUsedAt = Date.now();
    }
  }

  /** Turns an SDK or transport failure into one clear McpgwError. */
  private explain(err: unknown, what: string, timeoutMs?: number): Promise<McpgwError> {
    return explainFailure(err, {
      server: this.opts.server,
      what,
      timeoutMs: timeoutMs ?? this.opts.startTimeoutMs,
      maxMessageBytes: this.opts.maxMessageBytes,
      overflowing: this.transport.overflowing,
      running: this.stateValue === 'ready',
      exited: this.exited,
    });
  }

  /** Stops the server (stdin EOF, then SIGTERM, then SIGKILL) and always removes the container. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      try {
        await this.client.close();
      } catch {
        // the transport escalates on its own; removal below is what matters
      }
      await this.opts.engine.remove(this.containerId);
      this.stateValue = 'closed';
    })();
    return this.closing;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

type ProgressCallback = NonNullable<CallOptions['onProgress']>;
