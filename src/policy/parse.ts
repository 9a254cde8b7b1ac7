import { isMap, isScalar, LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { SAMPLING_RULE_KEYS } from './sampling.js';
import { POLICY_KEYS, policySchema, type Policy } from './schema.js';
import { describeFound, valueAt } from '../text/found.js';
import type { PolicyFormat } from './format.js';

export { policyFormatFromPath, type PolicyFormat } from './format.js';

/** One problem in a policy file, printed as `path: message (found: value)`; line/column when the source has them. */
export interface PolicyIssue {
  path: string;
  message: string;
  found?: string;
  line?: number;
  column?: number;
}

export type ParsePolicyResult = { ok: true; policy: Policy } | { ok: false; issues: PolicyIssue[] };

/** Policies are hand-written files; anything this large is a mistake, and not worth parsing. */
export const MAX_POLICY_TEXT = 1024 * 1024;

type ZodIssue = z.core.$ZodIssue;
type Path = readonly PropertyKey[];

/** Parses and validates a policy written as YAML or JSON (detected when `format` is omitted); never throws. */
export function parsePolicy(text: string, format?: PolicyFormat): ParsePolicyResult {
  try {
    return parseUnsafe(text, format ?? detectFormat(text));
  } catch (err) {
    return fail({ path: '(top level)', message: `cannot read the policy: ${err instanceof Error ? err.message : String(err)}` });
  }
}

function detectFormat(text: string): PolicyFormat {
  return /^\s*[{[]/.test(text) ? 'json' : 'yaml';
}

function parseUnsafe(text: string, format: PolicyFormat): ParsePolicyResult {
  if (typeof text !== 'string') return fail({ path: '(top level)', message: 'expected the policy as text' });
  if (text.length > MAX_POLICY_TEXT) {
    return fail({ path: '(top level)', message: `the policy is ${text.length} characters; the limit is ${MAX_POLICY_TEXT}` });
  }
  const lines = new LineCounter();
  // Parsed as YAML in both formats: for line numbers, and because JSON.parse silently keeps the last of two
  // duplicate keys, which in a security policy could flip a decision unnoticed.
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  let value: unknown;
  if (format === 'json') {
    try {
      value = JSON.parse(text);
    } catch (err) {
      return fail({ path: '(json)', message: err instanceof Error ? err.message : String(err) });
    }
    const duplicates = doc.errors.filter((e) => e.code === 'DUPLICATE_KEY');
    if (duplicates.length > 0) return { ok: false, issues: duplicates.map((e) => syntaxIssue(e, lines, 'json')) };
  } else {
    if (doc.errors.length > 0) return { ok: false, issues: doc.errors.map((e) => syntaxIssue(e, lines, 'yaml')) };
    try {
      value = doc.toJS({ maxAliasCount: 100 });
    } catch (err) {
      return fail({ path: '(yaml)', message: err instanceof Error ? err.message : String(err) });
    }
  }
  if (value === null || value === undefined) {
    return fail({ path: '(top level)', message: 'the policy is empty; write at least "default: ask"' });
  }
  const parsed = policySchema.safeParse(value);
  if (parsed.success) return { ok: true, policy: parsed.data };
  const issues = parsed.error.issues.flatMap((issue) => toIssues(issue, [], value));
  return { ok: false, issues: issues.map((issue) => withPosition(issue, doc, lines)) };
}

function fail(issue: PolicyIssue): ParsePolicyResult {
  return { ok: false, issues: [issue] };
}

function syntaxIssue(error: { code: string; message: string; pos: [number, number] }, lines: LineCounter, kind: string): PolicyIssue {
  const { line, col } = lines.linePos(error.pos[0]);
  const message =
    error.code === 'DUPLICATE_KEY'
      ? 'the same key appears twice in one mapping'
      : error.code === 'MULTIPLE_DOCS'
        ? 'a policy file holds one document (found a second "---")'
        : error.message;
  return { path: `(${kind})`, message, line, column: col };
}

interface RawIssue {
  path: Path;
  message: string;
  found?: string;
  /** For unknown keys: point at the key itself. */
  key?: string;
}

function toIssues(issue: ZodIssue, prefix: Path, root: unknown): RawIssue[] {
  const path = [...prefix, ...issue.path];
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => ({ path: [...path, key], message: unknownKeyMessage(key, path), key }));
  }
  if (issue.code === 'invalid_union') {
    // Report the branch that got past the type check (a list with a bad item), not "Invalid input".
    const branch = issue.errors.find((errors) => errors.every((e) => e.path.length > 0 || e.code !== 'invalid_type'));
    if (branch) return branch.flatMap((e) => toIssues(e, path, root));
  }
  const value = valueAt(root, path);
  const missing = value === undefined && (issue.code === 'invalid_type' || issue.code === 'invalid_value');
  const raw: RawIssue = { path, message: missing ? `missing: ${issue.message}` : issue.message };
  const found = describeFound(value);
  if (found !== undefined) raw.found = found;
  return [raw];
}

function unknownKeyMessage(key: string, parent: Path): string {
  const known =
    parent.length === 0
      ? POLICY_KEYS.policy
      : parent.length === 2 && parent[0] === 'rules'
        ? POLICY_KEYS.rule
        : parent.length === 2 && parent[0] === 'sampling'
          ? SAMPLING_RULE_KEYS
          : parent.length === 3 && parent[2] === 'annotations'
            ? POLICY_KEYS.annotations
            : parent.length === 4 && parent[2] === 'args'
              ? POLICY_KEYS.argMatcher
              : [];
  const guess = known.find((candidate) => editDistance(candidate.toLowerCase(), key.toLowerCase()) <= 2);
  const expected = known.length > 0 ? `; expected one of ${known.join(', ')}` : '';
  return guess ? `unknown key (did you mean "${guess}"?)` : `unknown key${expected}`;
}

function withPosition(raw: RawIssue, doc: Document, lines: LineCounter): PolicyIssue {
  const issue: PolicyIssue = { path: raw.path.map(String).join('.') || '(top level)', message: raw.message };
  if (raw.found !== undefined) issue.found = raw.found;
  const offset = offsetOf(doc, raw.path, raw.key);
  if (offset !== undefined) {
    const { line, col } = lines.linePos(offset);
    issue.line = line;
    issue.column = col;
  }
  return issue;
}

/** Where in the source the value at `path` (or the unknown key `key`) starts; the nearest ancestor otherwise. */
function offsetOf(doc: Document, path: Path, key?: string): number | undefined {
  if (key !== undefined) {
    const parent = doc.getIn(path.slice(0, -1), true);
    if (isMap(parent)) {
      const pair = parent.items.find((item) => isScalar(item.key) && String(item.key.value) === key);
      if (pair && isScalar(pair.key) && pair.key.range) return pair.key.range[0];
    }
  }
  for (let depth = path.length; depth >= 0; depth--) {
    const node: unknown = depth === 0 ? doc.contents : doc.getIn(path.slice(0, depth), true);
    const range = (node as { range?: [number, number, number] } | null | undefined)?.range;
    if (range) return range[0];
  }
  return undefined;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/** Formats issues as lines `  path: message (found: value) [line 3]` for a terminal. */
export function formatPolicyIssues(issues: readonly PolicyIssue[]): string {
  return issues
    .map((i) => {
      const found = i.found === undefined ? '' : ` (found: ${i.found})`;
      const where = i.line === undefined ? '' : ` [line ${i.line}${i.column === undefined ? '' : `, column ${i.column}`}]`;
      return `  ${i.path}: ${i.message}${found}${where}`;
    })
    .join('\n');
}
