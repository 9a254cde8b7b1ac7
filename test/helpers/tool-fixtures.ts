import { expect } from 'vitest';
import {
  compileTools,
  GEMINI_FUNCTION_NAME,
  validateGeminiSchema,
  type CompiledToolSet,
  type McpToolInput,
} from '../../src/tools/index.js';

/** One server's `tools/list`, as committed under test/fixtures/tool-schemas/. */
export interface ToolFixture {
  server: string;
  package: string;
  version: string;
  tools: {
    name: string;
    description?: string;
    inputSchema: unknown;
    annotations?: Record<string, unknown>;
  }[];
}

export const FIXTURE_DIR = new URL('../fixtures/tool-schemas/', import.meta.url);

/** The fixture's tools as compiler input. */
export function toInputs(fixture: ToolFixture): McpToolInput[] {
  return fixture.tools.map((t) => ({
    server: fixture.server,
    name: t.name,
    description: t.description,
    inputSchema: t.inputSchema,
    annotations: t.annotations,
  }));
}

/** Compiles and asserts what every real server must get: nothing rejected, valid unique names, valid schemas. */
export function expectAllCompiled(inputs: readonly McpToolInput[]): CompiledToolSet {
  const set = compileTools(inputs);
  expect(set.rejected).toEqual([]);
  expect(set.tools).toHaveLength(inputs.length);
  const names = set.tools.map((t) => t.functionName);
  expect(new Set(names).size).toBe(names.length);
  for (const tool of set.tools) {
    expect(tool.functionName).toMatch(GEMINI_FUNCTION_NAME);
    expect(validateGeminiSchema(tool.parametersJsonSchema)).toEqual([]);
    expect(set.resolve(tool.functionName)).toEqual({ server: tool.server, tool: tool.tool });
    // What goes on the wire is JSON: nothing may be lost by serialising it.
    expect(JSON.parse(JSON.stringify(tool.parametersJsonSchema))).toEqual(tool.parametersJsonSchema);
  }
  return set;
}

/** The declared parameters survive compilation: same property names, same required list. */
export function expectSameParameters(inputs: readonly McpToolInput[], set: CompiledToolSet): void {
  for (const input of inputs) {
    const compiled = set.tools.find((t) => t.server === input.server && t.tool === input.name);
    const source = input.inputSchema as { properties?: Record<string, unknown>; required?: string[] };
    const schema = compiled?.parametersJsonSchema as { properties: Record<string, unknown>; required?: string[] };
    expect(Object.keys(schema.properties)).toEqual(Object.keys(source.properties ?? {}));
    expect(schema.required).toEqual(source.required);
  }
}
