import type { Content } from '@google/genai';
import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import type { ModelClient, ModelEvent, ModelFunctionCall, ModelRequest } from '../../../daemon/agent/model/index.js';
import { AgentService } from '../../../daemon/agent/service.js';
import { ToolCatalog } from '../../../daemon/agent/toolset.js';
import { TurnRegistry } from '../../../daemon/agent/turns.js';
import { CallOutput } from '../../../daemon/calls/output.js';
import type { SandboxProvider, ToolHost } from '../../../daemon/calls/ports.js';
import { ToolCalls } from '../../../daemon/calls/tool-call.js';
import { createLogger } from '../../../daemon/logger.js';
import { ToolPins } from '../../../daemon/pins/service.js';
import { QuestionService } from '../../../daemon/questions/service.js';
import { SessionEventLog } from '../../../daemon/sessions/event-log.js';
import { MemoryStore } from '../../../daemon/store/memory.js';
import type { SessionRecord } from '../../../daemon/store/ports.js';
import { McpgwError } from '../../../src/errors.js';
import { policyPreset, type Policy, type PresetName } from '../../../src/policy/index.js';
import type { SessionEvent } from '../../../src/protocol/events.js';
import type { QuestionAnswerInput } from '../../../src/protocol/questions.js';

type ScriptedTurn = { text?: string; calls?: Array<{ id: string; name: string; args?: Record<string, unknown> }> };

/** A model that answers each request with the next scripted turn, and keeps every request it got. */
export class ScriptedModel implements ModelClient {
  readonly requests: ModelRequest[] = [];
  private readonly script: ScriptedTurn[] = [];

  enqueue(...turns: ScriptedTurn[]): void {
    this.script.push(...turns);
  }

  async *stream(request: ModelRequest): AsyncIterable<ModelEvent> {
    // As the Gemini client does: a cancelled turn's next request fails at once.
    if (request.signal?.aborted) throw new McpgwError('cancelled', 'the request was cancelled');
    this.requests.push({ ...request, contents: structuredClone(request.contents) });
    const turn = this.script.shift() ?? { text: '(the script ran out)' };
    if (turn.text) yield { type: 'text', text: turn.text };
    const functionCalls: ModelFunctionCall[] = (turn.calls ?? []).map((c) => ({ id: c.id, name: c.name, args: c.args ?? {} }));
    const content: Content = {
      role: 'model',
      parts: [...(turn.text ? [{ text: turn.text }] : []), ...functionCalls.map((functionCall) => ({ functionCall }))],
    };
    yield { type: 'done', content, functionCalls };
  }

  /** The response the model was sent for call `id` (in its latest request). */
  responseTo(id: string): unknown {
    const contents = this.requests.at(-1)?.contents ?? [];
    return contents.flatMap((c) => c.parts ?? []).find((p) => p.functionResponse?.id === id)?.functionResponse?.response;
  }
}

const TOOLS: Tool[] = [
  {
    name: 'echo',
    description: 'Echoes',
    inputSchema: { type: 'object', properties: { message: { type: 'string' } } },
    annotations: { readOnlyHint: true },
  },
  { name: 'sleep', description: 'Waits until cancelled', inputSchema: { type: 'object' } },
  { name: 'crash', description: 'Its server dies', inputSchema: { type: 'object' } },
];

/**
 * Sandboxes in memory: one server, "testsrv", whose tools answer at once (`echo`), wait until they are cancelled
 * (`sleep`), or die (`crash`). Each call is recorded; `running` resolves when a call of a tool has started.
 */
export class FakeSandboxes implements SandboxProvider {
  readonly calls: Array<{ tool: string; args: Record<string, unknown> }> = [];
  /** The tools the server lists now (`changeTool` changes one, as a rug pull would). */
  tools: Tool[] = structuredClone(TOOLS);
  private readonly hosts = new Map<string, ToolHost>();
  private readonly listeners = new Set<() => void>();

  /** Changes a tool's definition without a word, and stops the sandboxes (the next use starts new ones). */
  changeToolWhileStopped(name: string, patch: Partial<Tool>): void {
    this.tools = this.tools.map((t) => (t.name === name ? { ...t, ...patch } : t));
    this.hosts.clear();
    this.listeners.clear();
  }

  /** Changes a tool's definition and says so (notifications/tools/list_changed). */
  changeTool(name: string, patch: Partial<Tool>): void {
    this.tools = this.tools.map((t) => (t.name === name ? { ...t, ...patch } : t));
    for (const listener of this.listeners) listener();
  }
  private readonly started = new Map<string, () => void>();
  private readonly startedP = new Map<string, Promise<void>>();

  running(tool: string): Promise<void> {
    let p = this.startedP.get(tool);
    if (!p) {
      p = new Promise<void>((resolve) => this.started.set(tool, resolve));
      this.startedP.set(tool, p);
    }
    return p;
  }

  async sandbox(rec: SessionRecord, server: string): Promise<ToolHost> {
    if (!rec.servers.includes(server)) throw new McpgwError('not_found', `session ${rec.id} does not use server "${server}"`);
    // One sandbox per session and server, as the runtime keeps one running.
    let host = this.hosts.get(rec.id);
    if (!host) {
      host = {
        listTools: async () => structuredClone(this.tools),
        callTool: (name, args, options = {}) => this.call(name, args, options.signal),
        onToolsChanged: (listener) => void this.listeners.add(listener),
      };
      this.hosts.set(rec.id, host);
    }
    return host;
  }

  private async call(tool: string, args: Record<string, unknown>, signal?: AbortSignal): Promise<CallToolResult> {
    this.calls.push({ tool, args });
    void this.running(tool);
    this.started.get(tool)?.();
    switch (tool) {
      case 'echo':
        return { content: [{ type: 'text', text: `echo: ${String(args.message)}` }] };
      case 'crash':
        throw new McpgwError('sandbox_crashed', '"testsrv" exited with code 9');
      case 'sleep':
        return new Promise((_, reject) => {
          const stop = (): void => reject(new McpgwError('cancelled', 'cancelled by the user'));
          if (signal?.aborted) stop();
          signal?.addEventListener('abort', stop, { once: true });
        });
      default:
        throw new McpgwError('tool_failed', `no tool ${tool}`);
    }
  }
}

/** Every event the log published, in order, and a way to wait for one (no sleeps). */
export class Published {
  readonly events: SessionEvent[] = [];
  private waiters: Array<{ match: (e: SessionEvent) => boolean; resolve: (e: SessionEvent) => void }> = [];

  push = (event: SessionEvent): void => {
    this.events.push(event);
    this.waiters = this.waiters.filter((w) => (w.match(event) ? (w.resolve(event), false) : true));
  };

  waitFor<T extends SessionEvent['type']>(type: T, match: (e: Extract<SessionEvent, { type: T }>) => boolean = () => true) {
    const test = (e: SessionEvent): boolean => e.type === type && match(e as Extract<SessionEvent, { type: T }>);
    const seen = this.events.find(test);
    return new Promise<Extract<SessionEvent, { type: T }>>((resolve) => {
      if (seen) resolve(seen as Extract<SessionEvent, { type: T }>);
      else this.waiters.push({ match: test, resolve: resolve as (e: SessionEvent) => void });
    });
  }

  of<T extends SessionEvent['type']>(type: T): Array<Extract<SessionEvent, { type: T }>> {
    return this.events.filter((e): e is Extract<SessionEvent, { type: T }> => e.type === type);
  }
}

/**
 * The agent core (turns, questions, tool calls, event log) on the in-memory store, with a scripted model and fake
 * sandboxes: everything mcpd runs between a socket handler and a container, in one process and in milliseconds.
 */
export function agentCore(options: { questionTimeoutMs?: number } = {}) {
  const store = new MemoryStore();
  const published = new Published();
  const events = new SessionEventLog(store, published.push);
  const turns = new TurnRegistry();
  const updates: string[] = [];
  const questions = new QuestionService({
    store,
    events,
    timeoutMs: options.questionTimeoutMs ?? 60_000,
    onChange: async (id) => updates.push(id),
  });
  const sandboxes = new FakeSandboxes();
  const output = new CallOutput(events);
  const pins = new ToolPins(store);
  const catalog = new ToolCatalog(sandboxes, pins);
  const calls = new ToolCalls({ events, store, questions, sandboxes: catalog, output, pins });
  const model = new ScriptedModel();
  const agent = new AgentService({
    model,
    store,
    events,
    calls,
    catalog,
    turns,
    questions,
    publishUpdate: async (id) => updates.push(id),
    log: createLogger({ level: 'error' }),
    settings: { maxRounds: 8, systemInstruction: 'You are a test.', toolOutputChars: 20_000 },
  });
  let n = 0;

  /** A session of alice's on testsrv under a policy preset (or a policy of the test's own). */
  async function session(preset: PresetName | Policy = 'ask'): Promise<SessionRecord> {
    const rec: SessionRecord = {
      id: `s_${++n}`,
      owner: 'alice',
      title: '',
      status: 'active',
      model: 'gemini-test',
      policyName: typeof preset === 'string' ? preset : 'test.yaml',
      policy: JSON.stringify(typeof preset === 'string' ? policyPreset(preset).policy : preset),
      servers: ['testsrv'],
      createdAt: n,
      lastActive: n,
      seq: 0,
    };
    await store.createSession(rec);
    return rec;
  }

  /** Sends a message; `done` resolves with the turn's final answer. */
  async function send(rec: SessionRecord, text: string, headless = false) {
    const { turnId } = await agent.sendMessage('alice', rec, text, headless);
    return { turnId, done: published.waitFor('agent:response', (e) => e.turnId === turnId && e.done) };
  }

  /** Alice (or `user`) answers a tool approval. */
  function answer(questionId: string, choice: Omit<Extract<QuestionAnswerInput, { kind: 'tool_approval' }>, 'kind'>, user = 'alice') {
    return questions.answer(user, { questionId, answer: { kind: 'tool_approval', ...choice } });
  }

  /** The next question asked about call `callId`. */
  async function asked(callId: string) {
    const event = await published.waitFor('question:asked', (e) => e.subject.callId === callId);
    // Questions about a call are tool approvals; narrowed so tests read its fields directly.
    if (event.ask.kind !== 'tool_approval') throw new Error(`call ${callId} was asked a ${event.ask.kind} question`);
    return { ...event, ask: event.ask };
  }

  return { store, published, events, turns, questions, calls, model, agent, sandboxes, pins, updates, session, send, answer, asked };
}
