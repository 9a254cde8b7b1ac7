import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { z } from 'zod';
import { McpgwError, errorMessage } from '../../src/errors.js';
import type { ContainerEngine } from '../sandbox/engine.js';
import type { DecisionReport, GatewayCommand } from './gateway/protocol.js';
import { buildGatewaySpec } from './image.js';
import type { NetworkEngine } from './docker-networks.js';

const ACK_TIMEOUT_MS = 15_000;
const READY_TIMEOUT_MS = 20_000;
const MAX_LINE = 64 * 1024;

// What the gateway writes is checked like any other input: it relays untrusted traffic, so its words are not taken
// on faith (a malformed line is logged and dropped).
const decisionSchema = z.object({
  type: z.literal('decision'),
  lease: z.string(),
  via: z.enum(['dns', 'tls', 'http', 'connect', 'proxy', 'tcp']),
  allowed: z.boolean(),
  reason: z.string(),
  // The gateway keeps names short and printable; mcpd does not rely on it.
  host: z
    .string()
    .transform((h) => h.replace(/[^\x21-\x7e]/g, '?').slice(0, 260))
    .optional(),
  port: z.number().int().optional(),
  address: z.string().max(64).optional(),
  bytesUp: z.number().optional(),
  bytesDown: z.number().optional(),
  durationMs: z.number().optional(),
});
const reportSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready'), pid: z.number() }),
  z.object({ type: z.literal('ack'), id: z.number(), ok: z.boolean(), error: z.string().optional() }),
  decisionSchema,
  z.object({ type: z.literal('log'), level: z.enum(['info', 'warn', 'error']), message: z.string() }),
]);

export interface GatewayProcessOptions {
  engine: ContainerEngine;
  networks: NetworkEngine;
  image: string;
  instanceId: string;
  /** The networks it reaches destinations through; the first is where it is created. */
  egressNetworks: string[];
  onDecision: (report: DecisionReport) => void;
  onLog: (level: 'debug' | 'info' | 'warn' | 'error', message: string) => void;
  onExit: (code: number) => void;
}

type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;

/** The gateway container, and the line protocol mcpd speaks with it over attached stdio. */
export class GatewayProcess {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: () => void; reject: (err: Error) => void }>();
  private ready: (() => void) | undefined;
  private exitedValue = false;
  readonly exited: Promise<number>;

  private constructor(
    private readonly opts: GatewayProcessOptions,
    readonly containerId: string,
    private readonly stdin: NodeJS.WritableStream,
    exitCode: Promise<number>,
  ) {
    this.exited = exitCode.then((code) => {
      this.exitedValue = true;
      for (const { reject } of this.pending.values()) reject(new McpgwError('internal', `the egress gateway exited (code ${code})`));
      this.pending.clear();
      opts.onExit(code);
      return code;
    });
  }

  get alive(): boolean {
    return !this.exitedValue;
  }

  /** Creates, wires and starts the container; resolves once the gateway says it is ready. */
  static async start(opts: GatewayProcessOptions): Promise<GatewayProcess> {
    const { engine } = opts;
    const [first, ...others] = opts.egressNetworks;
    const name = `mcpgw-egress-gw-${randomBytes(4).toString('hex')}`;
    const id = await engine.create(buildGatewaySpec({ image: opts.image, name, instanceId: opts.instanceId, network: first ?? 'bridge' }));
    try {
      for (const network of others) await opts.networks.connect(network, id, {});
      const stdio = await engine.attach(id);
      const waited = engine.waitForExit(id).then(
        (s) => s.exitCode,
        () => -1,
      );
      const gateway = new GatewayProcess(opts, id, stdio.stdin, waited);
      const ready = new Promise<void>((resolve) => (gateway.ready = resolve));
      gateway.read(stdio.stdout, (line) => gateway.onLine(line));
      gateway.read(stdio.stderr, (line) => opts.onLog('warn', `gateway stderr: ${line}`));
      await engine.start(id);
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new McpgwError('internal', 'the egress gateway did not start in time')), READY_TIMEOUT_MS);
        void ready.then(() => (clearTimeout(timer), resolve()));
        void gateway.exited.then(
          (code) => (clearTimeout(timer), reject(new McpgwError('internal', `the egress gateway exited at start (code ${code})`))),
        );
      });
      return gateway;
    } catch (err) {
      await engine.remove(id).catch(() => undefined);
      throw err instanceof McpgwError
        ? err
        : new McpgwError('internal', `starting the egress gateway failed: ${errorMessage(err)}`, { cause: err });
    }
  }

  /** Sends one command and waits for its acknowledgement. */
  send(cmd: WithoutId<GatewayCommand>): Promise<void> {
    if (this.exitedValue) return Promise.reject(new McpgwError('internal', 'the egress gateway is not running'));
    const id = this.nextId++;
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new McpgwError('internal', `the egress gateway did not answer "${cmd.op}" in time`));
      }, ACK_TIMEOUT_MS);
      timer.unref();
      this.pending.set(id, {
        resolve: () => (clearTimeout(timer), resolve()),
        reject: (err) => (clearTimeout(timer), reject(err)),
      });
      this.stdin.write(`${JSON.stringify({ ...cmd, id })}\n`);
    });
  }

  /** Closes its stdin (the gateway exits by itself), then removes the container whatever happened. */
  async close(): Promise<void> {
    this.stdin.end();
    const timer = new Promise<void>((resolve) => setTimeout(resolve, 3000).unref());
    await Promise.race([this.exited, timer]);
    await this.opts.engine.remove(this.containerId);
  }

  private onLine(line: string): void {
    let parsed: z.infer<typeof reportSchema>;
    try {
      parsed = reportSchema.parse(JSON.parse(line));
    } catch {
      this.opts.onLog('warn', `unreadable line from the egress gateway: ${line.slice(0, 200)}`);
      return;
    }
    switch (parsed.type) {
      case 'ready':
        this.ready?.();
        return;
      case 'ack': {
        const waiter = this.pending.get(parsed.id);
        this.pending.delete(parsed.id);
        if (parsed.ok) waiter?.resolve();
        else waiter?.reject(new McpgwError('internal', `egress gateway: ${parsed.error ?? 'command failed'}`));
        return;
      }
      case 'decision':
        this.opts.onDecision(parsed as DecisionReport);
        return;
      case 'log':
        this.opts.onLog(parsed.level, `egress gateway: ${parsed.message}`);
        return;
      default: {
        const never: never = parsed;
        return never;
      }
    }
  }

  private read(stream: Readable, onLine: (line: string) => void): void {
    let buffered = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      buffered += chunk;
      let newline: number;
      while ((newline = buffered.indexOf('\n')) !== -1) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        if (line.trim()) onLine(line);
      }
      if (buffered.length > MAX_LINE) buffered = '';
    });
    stream.on('error', () => undefined);
  }
}
