/**
 * The tools of a session's MCP servers as Gemini function declarations. Each tool is compiled and checked on its
 * own: a tool Gemini would refuse is left out with its reason, because one bad declaration fails the whole request.
 */
import { errorMessage } from '../errors.js';
import { SCHEMA_LIMITS } from './gemini-subset.js';
import { compileInputSchema } from './gemini-schema.js';
import { cloneJson, isPlainObject, truncate } from './json.js';
import { assignFunctionNames, type ToolRef } from './names.js';
import { toolNameNote, toolNameProblem } from './tool-name.js';

export interface McpToolInput {
  server: string;
  name: string;
  description?: string | undefined;
  inputSchema: unknown;
  annotations?: Record<string, unknown> | undefined;
}

export interface CompiledTool {
  /** The name Gemini sees and calls (`server__tool`, sanitized and unique). */
  functionName: string;
  server: string;
  tool: string;
  description: string;
  parametersJsonSchema: Record<string, unknown>;
  /** One human-readable line per change made to the tool as the server declared it. */
  repairs: string[];
  annotations?: Record<string, unknown>;
}

export interface RejectedTool {
  server: string;
  tool: string;
  reason: string;
}

export interface CompiledToolSet {
  tools: CompiledTool[];
  rejected: RejectedTool[];
  /** The tool behind a function name the model called; undefined for names that were never declared. */
  resolve(functionName: string): ToolRef | undefined;
}

export interface ToolSchemaCheck {
  ok: boolean;
  repairs: string[];
  reason?: string;
}

/** The `FunctionDeclaration` fields for one compiled tool, as @google/genai takes them. */
export interface FunctionDeclarationJson {
  name: string;
  description?: string;
  parametersJsonSchema: Record<string, unknown>;
}

type Prepared = { ok: true; tool: Omit<CompiledTool, 'functionName'> } | { ok: false; reason: string; repairs: string[] };

/** Compiles every tool; tools that cannot be made valid, or repeat a name on their server, go to `rejected`. */
export function compileTools(input: readonly McpToolInput[]): CompiledToolSet {
  const prepared: Omit<CompiledTool, 'functionName'>[] = [];
  const rejected: RejectedTool[] = [];
  const seen = new Set<string>();
  for (const item of input) {
    const server = stringField(item, 'server');
    const tool = stringField(item, 'name');
    const key = JSON.stringify([server, tool]);
    if (seen.has(key)) {
      rejected.push({ server, tool, reason: 'duplicate tool name on this server; the first one is kept' });
      continue;
    }
    seen.add(key);
    const result = prepareSafely(item);
    if (result.ok) prepared.push(result.tool);
    else rejected.push({ server, tool, reason: result.reason });
  }
  const names = assignFunctionNames(prepared);
  const tools = prepared.map((t) => ({ functionName: names.nameOf(t) ?? '', ...t }));
  return { tools, rejected, resolve: (functionName) => names.resolve(functionName) };
}

/** For `mcpgw servers test`: what Gemini would reject in one tool and what would be repaired. */
export function checkToolSchema(tool: McpToolInput): ToolSchemaCheck {
  const result = prepareSafely(tool);
  return result.ok ? { ok: true, repairs: result.tool.repairs } : { ok: false, repairs: result.repairs, reason: result.reason };
}

/** The declaration to put in `tools[].functionDeclarations` of a Gemini request. */
export function toFunctionDeclaration(tool: CompiledTool): FunctionDeclarationJson {
  return {
    name: tool.functionName,
    ...(tool.description.length > 0 ? { description: tool.description } : {}),
    parametersJsonSchema: tool.parametersJsonSchema,
  };
}

function stringField(item: unknown, key: 'server' | 'name'): string {
  try {
    const value = isPlainObject(item) ? item[key] : undefined;
    return typeof value === 'string' ? value : '';
  } catch {
    return '';
  }
}

/** A throwing getter or a Proxy in a tool object must cost that tool, not the others. */
function prepareSafely(input: McpToolInput): Prepared {
  try {
    return prepare(input);
  } catch (err) {
    return { ok: false, reason: `internal error while compiling: ${errorMessage(err)}`, repairs: [] };
  }
}

function prepare(input: McpToolInput): Prepared {
  const server = stringField(input, 'server');
  const tool = stringField(input, 'name');
  if (server.length === 0) return { ok: false, reason: 'server name is missing', repairs: [] };
  // A name that could deceive a person or drive a terminal is refused before anything else (tool-name.ts).
  const nameProblem = toolNameProblem(tool);
  if (nameProblem !== undefined) return { ok: false, reason: nameProblem, repairs: [] };
  const repairs: string[] = [];
  const nameNote = toolNameNote(tool);
  if (nameNote !== undefined) repairs.push(nameNote);
  const description = toolDescription(input.description, repairs);
  const schema = compileInputSchema(input.inputSchema);
  repairs.push(...schema.repairs);
  if (!schema.ok) return { ok: false, reason: schema.reason, repairs };
  const annotations = copyAnnotations(input.annotations, repairs);
  return {
    ok: true,
    tool: {
      server,
      tool,
      description,
      parametersJsonSchema: schema.schema,
      repairs,
      ...(annotations === undefined ? {} : { annotations }),
    },
  };
}

function toolDescription(value: unknown, repairs: string[]): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') {
    repairs.push('description: not a string; removed');
    return '';
  }
  // Every declaration is sent on every turn; a description the size of a manual costs tokens each time.
  if (value.length > SCHEMA_LIMITS.maxToolDescription) {
    repairs.push(`description: truncated from ${value.length} to ${SCHEMA_LIMITS.maxToolDescription} characters`);
    return truncate(value, SCHEMA_LIMITS.maxToolDescription);
  }
  return value;
}

/** Annotations feed the approval policy; only plain JSON is kept, so they always serialise. */
function copyAnnotations(value: unknown, repairs: string[]): Record<string, unknown> | undefined {
  if (value === undefined || value === null) return undefined;
  const copy = isPlainObject(value) ? cloneJson(value) : undefined;
  if (copy === undefined || !isPlainObject(copy.value)) {
    repairs.push('annotations: not a plain JSON object; dropped');
    return undefined;
  }
  return copy.value;
}
