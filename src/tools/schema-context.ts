/** State shared by one schema compilation: the document for `$ref`, the work budget, and the repair notes. */
import { SCHEMA_LIMITS } from './gemini-subset.js';
import type { JsonObject } from './json.js';

/** Compiles a child node; injected so the keyword builders and the node walker do not import each other. */
export type CompileChild = (raw: unknown, path: string, depth: number) => JsonObject | undefined;

export interface CompileContext {
  /** The whole input schema: `$ref` pointers resolve against it. */
  readonly root: unknown;
  readonly notes: RepairNotes;
  /** `$ref`s being expanded on the current path; meeting one again is a cycle. */
  readonly refs: string[];
  /** Input objects on the current path; meeting one again is a cycle in the JS object graph itself. */
  readonly ancestors: Set<object>;
  readonly compile: CompileChild;
  nodes: number;
  /** Set once the budget is blown; compilation then unwinds quickly and the tool is rejected with this reason. */
  failure: string | undefined;
}

/** Human-readable notes ("<json pointer>: <what changed>"), deduplicated and capped. */
export class RepairNotes {
  private readonly seen = new Set<string>();
  private readonly kept: string[] = [];
  private overflow = 0;

  add(path: string, message: string): void {
    const note = `${path}: ${message}`;
    if (this.seen.has(note)) return;
    this.seen.add(note);
    if (this.kept.length < SCHEMA_LIMITS.maxNotes) this.kept.push(note);
    else this.overflow += 1;
  }

  list(): string[] {
    return this.overflow === 0 ? [...this.kept] : [...this.kept, `… and ${this.overflow} more repairs`];
  }
}
