export {
  checkToolSchema,
  compileTools,
  toFunctionDeclaration,
  type CompiledTool,
  type CompiledToolSet,
  type FunctionDeclarationJson,
  type McpToolInput,
  type RejectedTool,
  type ToolSchemaCheck,
} from './compile-tools.js';
export { compileInputSchema, type SchemaCompileResult } from './gemini-schema.js';
export { anyValue, GEMINI_TYPES, SCHEMA_LIMITS, validateGeminiSchema, type GeminiType } from './gemini-subset.js';
export { assignFunctionNames, fnv1a32, GEMINI_FUNCTION_NAME, sanitizeFunctionName, type FunctionNames, type ToolRef } from './names.js';
export { MAX_TOOL_NAME, MCP_TOOL_NAME, toolNameNote, toolNameProblem } from './tool-name.js';
