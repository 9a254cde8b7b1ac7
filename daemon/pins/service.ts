export type { PinChange } from './pin.js';
import type { ToolPinSummary } from '../../src/protocol/session.js';
import type { AuditLog, PinStore, SessionRecord } from '../store/ports.js';
import { diffDefinitions, pinOf, type PinChange, type ToolDefinition, type ToolPin } from './pin.js';

/** What a tool call needs of the pins: whether its tool changed since it was pinned, and re-pinning once approved. */
export interface PinGate {
  /** The change since the pin, or undefined for an unchanged (or never listed) tool; waits for re-listings under way. */
  changeOf(sessionId: string, server: string, tool: string): Promise<(PinChange & { hash: string }) | undefined>;
  /** A person approved the change they were shown (by its hash): that definition becomes the pin. */
  accept(sessionId: string, server: string, tool: string, hash: string): Promise<void>;
}

/**
 * Tool pinning, the defence against a "rug pull" (a server that changes a tool's description or schema after a
 * person approved it, so the model follows new instructions). The first definition a session sees of a tool is
 * pinned by hash; a later listing that differs marks the pin changed (audited once per new definition), and the
 * tool call then asks a person, with a diff, whatever the policy or an "always" rule says.
 */
export class ToolPins implements PinGate {
  /** Re-listings under way per session and server: a call waits for them so it is decided on the newest list. */
  private readonly pending = new Map<string, Set<Promise<unknown>>>();

  constructor(private readonly store: PinStore & AuditLog) {}

  /** Records what a session's server lists now: new tools are pinned, differing ones marked changed. */
  async observe(rec: SessionRecord, server: string, tools: ToolDefinition[]): Promise<void> {
    const now = Date.now();
    await Promise.all(
      tools.map(async (tool) => {
        const seen = pinOf(tool);
        const pin = await this.store.pin(rec.id, server, tool.name);
        if (!pin) {
          await this.store.putPin(rec.id, { server, tool: tool.name, ...seen, pinnedAt: now });
          return;
        }
        if (pin.hash === seen.hash) {
          // Changed back to what was approved: nothing to ask about any more.
          if (pin.changed) await this.store.putPin(rec.id, { ...pin, changed: undefined });
          return;
        }
        if (pin.changed?.hash === seen.hash) return;
        await this.store.putPin(rec.id, { ...pin, changed: { ...seen, seenAt: now } });
        const { fields } = diffDefinitions(pin.definition, seen.definition);
        await this.store.audit({
          ts: now,
          sessionId: rec.id,
          user: rec.owner,
          kind: 'tool_changed',
          server,
          tool: tool.name,
          fields,
          pinned: pin.hash,
          seen: seen.hash,
        });
      }),
    );
  }

  /** Runs a re-listing so that calls of the session's server wait for it (see `changeOf`). */
  track(sessionId: string, server: string, work: Promise<unknown>): Promise<unknown> {
    const key = `${sessionId}\u0000${server}`;
    const set = this.pending.get(key) ?? new Set();
    this.pending.set(key, set);
    const done = work.catch(() => undefined);
    set.add(done);
    void done.then(() => {
      set.delete(done);
      if (set.size === 0) this.pending.delete(key);
    });
    return done;
  }

  async changeOf(sessionId: string, server: string, tool: string): Promise<(PinChange & { hash: string }) | undefined> {
    await Promise.all(this.pending.get(`${sessionId}\u0000${server}`) ?? []);
    const pin = await this.store.pin(sessionId, server, tool);
    return pin?.changed ? { ...diffDefinitions(pin.definition, pin.changed.definition), hash: pin.changed.hash } : undefined;
  }

  async accept(sessionId: string, server: string, tool: string, hash: string): Promise<void> {
    const pin = await this.store.pin(sessionId, server, tool);
    // Changed again while the person looked: what they approved is no longer what the server lists, so keep asking.
    if (pin?.changed?.hash !== hash) return;
    const { definition } = pin.changed;
    await this.store.putPin(sessionId, { server, tool, hash, definition, pinnedAt: Date.now() });
  }

  /** The session's pins, by server and tool. */
  async list(sessionId: string): Promise<ToolPin[]> {
    return (await this.store.pins(sessionId)).sort((a, b) => a.server.localeCompare(b.server) || a.tool.localeCompare(b.tool));
  }

  /** The session's pins as clients are shown them (hashes and what changed, not the definitions). */
  async summaries(sessionId: string): Promise<ToolPinSummary[]> {
    return (await this.list(sessionId)).map((p) => ({
      server: p.server,
      tool: p.tool,
      hash: p.hash,
      pinnedAt: p.pinnedAt,
      ...(p.changed
        ? {
            changed: { hash: p.changed.hash, fields: diffDefinitions(p.definition, p.changed.definition).fields, seenAt: p.changed.seenAt },
          }
        : {}),
    }));
  }
}
