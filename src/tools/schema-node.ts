/** Walks one raw JSON Schema node: cycles, `$ref`, combinators and `type`, then hands it to the keyword builders. */
import { anyValue, anyValueBranches, isGeminiType, ordered, SCHEMA_LIMITS, type GeminiType } from './gemini-subset.js';
import { isPlainObject, kindOf, label, resolvePointer, truncate, type JsonObject } from './json.js';
import type { CompileContext } from './schema-context.js';
import { derefShallow, mergeAllOf, mergeInto, splitGeneric } from './schema-merge.js';
import { buildTyped, unionNode } from './schema-typed.js';
import { analyseEnum, inferType, keywordsFor, readTypes, type EnumInfo } from './schema-types.js';

/** Compiles one schema node into the Gemini subset; undefined when no value can satisfy it (`false`, only null). */
export function compileNode(raw: unknown, path: string, depth: number, ctx: CompileContext): JsonObject | undefined {
  if (ctx.failure !== undefined) return anyValue();
  ctx.nodes += 1;
  if (ctx.nodes > SCHEMA_LIMITS.maxNodes) {
    ctx.failure = `schema is too large: more than ${SCHEMA_LIMITS.maxNodes} schema nodes once $ref is inlined`;
    return anyValue();
  }
  if (raw === true) return anyValue();
  if (raw === false) {
    ctx.notes.add(path, 'schema `false` accepts nothing; removed');
    return undefined;
  }
  if (!isPlainObject(raw)) {
    ctx.notes.add(path, `not a schema (${kindOf(raw)}); any JSON value allowed`);
    return anyValue();
  }
  if (depth > SCHEMA_LIMITS.maxDepth) {
    ctx.notes.add(path, `nested more than ${SCHEMA_LIMITS.maxDepth} levels deep; any JSON value allowed below`);
    return anyValue();
  }
  if (ctx.ancestors.has(raw)) {
    ctx.notes.add(path, 'circular object reference replaced by a free-form value');
    return placeholder(raw, 'Recursive structure; nested levels are not described.');
  }
  ctx.ancestors.add(raw);
  try {
    return compileObject({ ...raw }, path, depth, ctx);
  } finally {
    ctx.ancestors.delete(raw);
  }
}

/** A shallow stand-in for a recursive schema: its type (object unless it says otherwise) and a description. */
function placeholder(schema: unknown, why: string, siblings: JsonObject = {}): JsonObject {
  const declared = isPlainObject(schema) ? schema.type : undefined;
  const type: GeminiType = isGeminiType(declared) ? declared : 'object';
  const own = typeof siblings.description === 'string' ? siblings.description : undefined;
  const theirs = isPlainObject(schema) && typeof schema.description === 'string' ? schema.description : undefined;
  const text = [own ?? theirs ?? '', why].filter((s) => s.length > 0).join(' ');
  const out: JsonObject = { type, description: truncate(text, SCHEMA_LIMITS.maxDescription) };
  if (type === 'array') out.items = anyValue();
  return ordered(out);
}

/** `work` is a copy owned by the compiler, so keywords may be deleted from it. */
function compileObject(work: JsonObject, path: string, depth: number, ctx: CompileContext): JsonObject | undefined {
  if (Object.hasOwn(work, '$ref')) return compileRef(work, path, depth, ctx);
  let node = Object.hasOwn(work, 'allOf') ? mergeAllOf(work, path, ctx) : work;
  for (const key of ['$defs', 'definitions']) {
    if (!Object.hasOwn(node, key)) continue;
    delete node[key];
    ctx.notes.add(path, `"${key}" removed (references are inlined where used)`);
  }
  const keyword = Object.hasOwn(node, 'anyOf') ? 'anyOf' : Object.hasOwn(node, 'oneOf') ? 'oneOf' : undefined;
  if (keyword !== undefined) {
    const { anyOf, oneOf, ...rest } = node;
    // Gemini has no exclusive union (and ignores oneOf where it does not reject it); "any of" is the closest it reads.
    if (keyword === 'oneOf') ctx.notes.add(path, '"oneOf" rewritten as "anyOf"');
    else if (oneOf !== undefined) ctx.notes.add(path, '"oneOf" removed because "anyOf" is also present');
    const branches = keyword === 'anyOf' ? anyOf : oneOf;
    if (Array.isArray(branches) && branches.length > 0) {
      return compileUnion(rest, branches, `${path}/${keyword}`, path, depth, ctx);
    }
    ctx.notes.add(path, `"${keyword}" is empty or not an array; removed`);
    node = rest;
  }
  return compileTyped(node, path, depth, ctx);
}

/**
 * Inlines a same-document `$ref`. Gemini resolves none reliably ("reference to undefined schema", gemini-cli#13326;
 * "$ref ... set alongside unsupported fields", anomalyco/opencode#12295), so every reference is expanded, a cycle
 * is cut with a placeholder, and the node budget stops exponential expansion.
 */
function compileRef(work: JsonObject, path: string, depth: number, ctx: CompileContext): JsonObject | undefined {
  const { $ref: ref, ...siblings } = work;
  if (typeof ref !== 'string') {
    ctx.notes.add(path, '"$ref" is not a string; removed');
    return compileObject(siblings, path, depth, ctx);
  }
  const shown = truncate(ref, 80);
  const target = resolvePointer(ctx.root, ref);
  if (ctx.refs.includes(ref) || ctx.refs.length >= SCHEMA_LIMITS.maxRefDepth) {
    const why = ctx.refs.includes(ref) ? 'recursive' : `nested more than ${SCHEMA_LIMITS.maxRefDepth} deep,`;
    ctx.notes.add(path, `${why} $ref "${shown}" replaced by a free-form value`);
    return placeholder(target, `Recursive structure (${shown}); nested levels are not described.`, siblings);
  }
  if (target === undefined) {
    ctx.notes.add(path, `$ref "${shown}" does not point inside this schema; any JSON value allowed`);
    return unionNode(anyValueBranches(), splitGeneric(siblings).generic, [], false, path, ctx);
  }
  ctx.notes.add(path, `inlined $ref "${shown}"`);
  const merged = isPlainObject(target) ? { ...target, ...siblings } : target === true ? siblings : target;
  ctx.refs.push(ref);
  try {
    return compileNode(merged, path, depth, ctx);
  } finally {
    ctx.refs.pop();
  }
}

function isNullSchema(value: unknown): boolean {
  if (!isPlainObject(value)) return false;
  if (value.type === 'null') return true;
  if (Array.isArray(value.type) && value.type.length > 0 && value.type.every((t) => t === 'null')) return true;
  if (value.type === undefined && Object.hasOwn(value, 'const') && value.const === null) return true;
  return value.type === undefined && Array.isArray(value.enum) && value.enum.length > 0 && value.enum.every((v) => v === null);
}

/**
 * `anyOf`. Null branches become `nullable` (as @google/genai's converter does); one remaining branch is merged into
 * the parent; otherwise the parent's constraints move into every branch, since `type` beside `anyOf` is rejected.
 */
function compileUnion(
  parent: JsonObject,
  branches: readonly unknown[],
  branchesPath: string,
  path: string,
  depth: number,
  ctx: CompileContext,
): JsonObject | undefined {
  const live: [number, unknown][] = [];
  let sawNull = false;
  for (const [i, branch] of branches.entries()) {
    if (live.length >= SCHEMA_LIMITS.maxBranches) {
      ctx.notes.add(path, `anyOf has ${branches.length} branches; only the first ${SCHEMA_LIMITS.maxBranches} kept`);
      break;
    }
    if (isNullSchema(branch)) sawNull = true;
    else if (branch === false) ctx.notes.add(`${branchesPath}/${i}`, 'branch `false` accepts nothing; removed');
    else live.push([i, branch]);
  }
  const { nullable: parentNullable, ...own } = parent;
  const nullable = sawNull || parentNullable === true;
  const first = live[0];
  if (first === undefined) {
    ctx.notes.add(path, 'anyOf allows nothing but null; removed');
    return undefined;
  }
  if (live.length === 1) {
    const how = sawNull ? 'anyOf of one schema and null rewritten as that schema with "nullable": true' : 'anyOf with one branch collapsed';
    ctx.notes.add(path, how);
    const [, branch] = first;
    const merged = isPlainObject(branch) ? mergeInto(own, branch, path, ctx) : branch === true ? own : branch;
    return compileNode(isPlainObject(merged) && nullable ? { ...merged, nullable: true } : merged, path, depth, ctx);
  }
  const { generic, rest } = splitGeneric(own);
  const shared = Object.keys(rest).length > 0;
  if (Object.hasOwn(rest, 'type')) ctx.notes.add(path, '"type" beside anyOf moved into the branches');
  const compiled: JsonObject[] = [];
  for (const [i, branch] of live) {
    const branchPath = `${branchesPath}/${i}`;
    const resolved = shared ? derefShallow(branch, branchPath, ctx) : undefined;
    const raw = resolved?.kind === 'schema' ? mergeInto(rest, resolved.node, branchPath, ctx) : branch;
    const child = compileNode(raw, branchPath, depth + 1, ctx);
    if (child !== undefined) compiled.push(child);
  }
  if (compiled.length === 0) return undefined;
  return unionNode(compiled, generic, [], nullable, path, ctx);
}

/** Everything after combinators: `const`, `type` (possibly a list), `enum`, then the single-type builder. */
function compileTyped(work: JsonObject, path: string, depth: number, ctx: CompileContext): JsonObject | undefined {
  const note = (message: string): void => ctx.notes.add(path, message);
  if (Object.hasOwn(work, 'const')) {
    const value = work.const;
    delete work.const;
    if (Object.hasOwn(work, 'enum')) note('"const" removed ("enum" kept)');
    else {
      work.enum = [value];
      note('"const" rewritten as a one-value "enum"');
    }
  }
  const declared = readTypes(work.type, path, ctx);
  delete work.type;
  let nullable = declared.nullable;
  if (Object.hasOwn(work, 'nullable')) {
    if (work.nullable === true) nullable = true;
    else if (typeof work.nullable !== 'boolean') note('"nullable" is not a boolean; removed');
    delete work.nullable;
  }
  if (declared.nullOnly) {
    note('type "null" only; removed (Gemini has no null-only values)');
    return undefined;
  }
  let en: EnumInfo | undefined;
  if (Object.hasOwn(work, 'enum')) {
    en = analyseEnum(work.enum);
    delete work.enum;
    if (en.kind === 'invalid') {
      note('"enum" is empty or not an array; removed');
      en = undefined;
    } else if (en.kind === 'null-only') {
      note('"enum" allows only null; removed');
      return undefined;
    } else if (en.hadNull) {
      nullable = true;
      note('null in "enum" expressed as "nullable": true');
    }
  }
  let types = declared.types;
  if (en?.kind === 'strings' && !(types.length === 1 && types[0] === 'string')) {
    note(
      types.length === 0 ? 'no "type"; "string" taken from its enum' : `type ${label(types)} changed to "string" to match its string enum`,
    );
    types = ['string'];
  }
  if (types.length > 1) return compileTypeList(work, types, nullable, en, path, depth, ctx);
  const type = types[0] ?? inferType(work, en);
  if (type === undefined) {
    note('no "type"; any JSON value allowed');
    if (en?.kind === 'described') note(en.note);
    return unionNode(anyValueBranches(), work, en?.kind === 'described' ? [en.hint] : [], nullable, path, ctx);
  }
  if (types.length === 0) note(`no "type"; "${type}" inferred from its keywords`);
  return buildTyped(work, type, nullable, en, path, depth, ctx);
}

/** `type: [a, b]` (besides null) becomes one anyOf branch per type, each keeping only the keywords that apply. */
function compileTypeList(
  work: JsonObject,
  types: readonly GeminiType[],
  nullable: boolean,
  en: EnumInfo | undefined,
  path: string,
  depth: number,
  ctx: CompileContext,
): JsonObject | undefined {
  ctx.notes.add(path, `type ${label(types)} rewritten as anyOf`);
  const { generic, rest } = splitGeneric(work);
  if (en?.kind === 'described') ctx.notes.add(path, en.note);
  const branches: JsonObject[] = [];
  for (const type of types) {
    const child = compileNode({ ...keywordsFor(rest, type), type }, path, depth + 1, ctx);
    if (child !== undefined) branches.push(child);
  }
  if (branches.length === 0) return undefined;
  return unionNode(branches, generic, en?.kind === 'described' ? [en.hint] : [], nullable, path, ctx);
}
