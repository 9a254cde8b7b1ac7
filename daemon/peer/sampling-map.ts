import type { Content, Part } from '@google/genai';
import { ErrorCode, McpError, type CreateMessageRequest, type CreateMessageResult } from '@modelcontextprotocol/sdk/types.js';
import type { SamplingMessageView, SamplingPartView, SamplingRequestView } from '../../src/protocol/sampling.js';
import { truncateMiddle } from '../../src/text/truncate.js';

/**
 * Between MCP sampling and Gemini: a server's messages become Gemini contents, the model's answer a
 * CreateMessageResult, and the request a view a person can judge (media as type and size, never decoded).
 */

export type SamplingParams = CreateMessageRequest['params'];
type Block = SamplingParams['messages'][number]['content'] extends infer C ? (C extends readonly (infer B)[] ? B : C) : never;

/** The most text of a model answer shown to a person and returned to the server (both get the same text). */
export const MAX_RESULT_CHARS = 32_000;

/** The blocks of a message, whether the server sent one or a list. */
function blocksOf(message: SamplingParams['messages'][number]): Block[] {
  return Array.isArray(message.content) ? (message.content as Block[]) : [message.content as Block];
}

/** Bytes a base64 string decodes to, without decoding it. */
function base64Bytes(data: string): number {
  const padding = data.endsWith('==') ? 2 : data.endsWith('=') ? 1 : 0;
  return Math.max(0, Math.floor((data.length * 3) / 4) - padding);
}

function partView(block: Block): SamplingPartView {
  switch (block.type) {
    case 'text':
      return { type: 'text', text: block.text };
    case 'image':
    case 'audio':
      return { type: block.type, mimeType: block.mimeType, bytes: base64Bytes(block.data) };
    default:
      return { type: 'other', what: block.type };
  }
}

/** The request as a person sees it: every field the server set, media by type and size. */
export function viewRequest(params: SamplingParams): SamplingRequestView {
  const messages: SamplingMessageView[] = params.messages.map((m) => ({ role: m.role, parts: blocksOf(m).map(partView) }));
  const prefs = params.modelPreferences;
  return {
    messages,
    maxTokens: params.maxTokens,
    ...(params.systemPrompt !== undefined ? { systemPrompt: params.systemPrompt } : {}),
    ...(params.temperature !== undefined ? { temperature: params.temperature } : {}),
    ...(params.stopSequences?.length ? { stopSequences: params.stopSequences } : {}),
    ...(params.includeContext !== undefined ? { includeContext: params.includeContext } : {}),
    ...(prefs
      ? {
          modelPreferences: {
            hints: (prefs.hints ?? []).flatMap((h) => (h.name ? [h.name] : [])),
            ...(prefs.costPriority !== undefined ? { costPriority: prefs.costPriority } : {}),
            ...(prefs.speedPriority !== undefined ? { speedPriority: prefs.speedPriority } : {}),
            ...(prefs.intelligencePriority !== undefined ? { intelligencePriority: prefs.intelligencePriority } : {}),
          },
        }
      : {}),
    ...(params.tools?.length ? { tools: params.tools.map((t) => t.name) } : {}),
  };
}

/**
 * Refuses what mcpgw does not do for a server: tools for the sampled model (no client capability declares them),
 * and tool-use blocks in the messages. Checked before any person is asked.
 */
export function refuseUnsupported(params: SamplingParams): void {
  if (params.tools?.length || params.toolChoice)
    throw new McpError(ErrorCode.InvalidParams, 'mcpgw gives sampled requests no tools (sampling.tools is not a declared capability)');
  if (!(params.maxTokens > 0)) throw new McpError(ErrorCode.InvalidParams, 'maxTokens must be a positive integer');
  for (const message of params.messages)
    for (const block of blocksOf(message))
      if (block.type !== 'text' && block.type !== 'image' && block.type !== 'audio')
        throw new McpError(ErrorCode.InvalidParams, `mcpgw does not sample with ${block.type} content (no tools are offered)`);
}

/** The server's messages as Gemini contents: assistant turns are the model's, media goes inline as sent. */
export function toGeminiContents(params: SamplingParams): Content[] {
  return params.messages.map((message) => ({
    role: message.role === 'assistant' ? 'model' : 'user',
    parts: blocksOf(message).map((block): Part => {
      switch (block.type) {
        case 'text':
          return { text: block.text };
        case 'image':
        case 'audio':
          return { inlineData: { mimeType: block.mimeType, data: block.data } };
        default:
          throw new McpError(ErrorCode.InvalidParams, `mcpgw does not sample with ${block.type} content`);
      }
    }),
  }));
}

/** Gemini's finish reason in MCP's words: STOP ends the turn, MAX_TOKENS hit maxTokens, anything else is passed on. */
export function stopReasonOf(finishReason: string | undefined): string {
  if (finishReason === undefined || finishReason === 'STOP') return 'endTurn';
  if (finishReason === 'MAX_TOKENS') return 'maxTokens';
  return finishReason;
}

/** The model's text as the server gets it, cut to what a person can be shown (the same text both ways). */
export function resultText(text: string): { text: string; truncated: boolean } {
  return truncateMiddle(text, MAX_RESULT_CHARS);
}

/** The answer the server receives. */
export function toResult(text: string, model: string, stopReason: string): CreateMessageResult {
  return { role: 'assistant', content: { type: 'text', text }, model, stopReason };
}
