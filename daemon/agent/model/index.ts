export { TurnAssembler, newCallId } from './assemble.js';
export { classifyFailure, parseDuration } from './errors.js';
export type { ModelFailure } from './errors.js';
export { DEFAULT_GEMINI_BASE_URL, createGeminiModelClient } from './gemini.js';
export type { GeminiModelClientOptions } from './gemini.js';
export type { ModelClient, ModelErrorKind, ModelEvent, ModelFunctionCall, ModelRequest, ModelUsage } from './types.js';
