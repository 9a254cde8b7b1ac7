import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import {
  MAX_RESULT_CHARS,
  refuseUnsupported,
  resultText,
  stopReasonOf,
  toGeminiContents,
  toResult,
  viewRequest,
  type SamplingParams,
} from '../../../daemon/peer/sampling-map.js';

const params: SamplingParams = {
  messages: [
    { role: 'user', content: { type: 'text', text: 'What is in the picture?' } },
    { role: 'assistant', content: { type: 'text', text: 'Send it.' } },
    {
      role: 'user',
      content: [
        { type: 'image', mimeType: 'image/png', data: 'AAAA' },
        { type: 'audio', mimeType: 'audio/wav', data: 'AAAAAA==' },
      ],
    },
  ],
  systemPrompt: 'You are terse.',
  maxTokens: 64,
  temperature: 0.5,
  stopSequences: ['END'],
  includeContext: 'allServers',
  modelPreferences: { hints: [{ name: 'claude-3-sonnet' }, {}], intelligencePriority: 0.8 },
};

describe('MCP sampling messages ↔ Gemini', () => {
  it('maps roles (assistant → model) and content blocks (media inline, as sent)', () => {
    expect(toGeminiContents(params)).toEqual([
      { role: 'user', parts: [{ text: 'What is in the picture?' }] },
      { role: 'model', parts: [{ text: 'Send it.' }] },
      {
        role: 'user',
        parts: [{ inlineData: { mimeType: 'image/png', data: 'AAAA' } }, { inlineData: { mimeType: 'audio/wav', data: 'AAAAAA==' } }],
      },
    ]);
  });

  it('shows a person every field, media as type and size, never decoded', () => {
    expect(viewRequest(params)).toEqual({
      messages: [
        { role: 'user', parts: [{ type: 'text', text: 'What is in the picture?' }] },
        { role: 'assistant', parts: [{ type: 'text', text: 'Send it.' }] },
        {
          role: 'user',
          parts: [
            { type: 'image', mimeType: 'image/png', bytes: 3 },
            { type: 'audio', mimeType: 'audio/wav', bytes: 4 },
          ],
        },
      ],
      systemPrompt: 'You are terse.',
      maxTokens: 64,
      temperature: 0.5,
      stopSequences: ['END'],
      includeContext: 'allServers',
      modelPreferences: { hints: ['claude-3-sonnet'], intelligencePriority: 0.8 },
    });
  });

  it('refuses tools and tool-use content: sampled requests get no tools', () => {
    expect(() => refuseUnsupported(params)).not.toThrow();
    const withTools = { ...params, tools: [{ name: 'rm', inputSchema: { type: 'object' as const } }] };
    expect(() => refuseUnsupported(withTools)).toThrow(McpError);
    const toolUse = {
      ...params,
      messages: [{ role: 'assistant' as const, content: { type: 'tool_use' as const, id: 'x', name: 'rm', input: {} } }],
    };
    expect(() => refuseUnsupported(toolUse)).toThrow(/tool_use/);
    expect(() => refuseUnsupported({ ...params, maxTokens: 0 })).toThrow(/maxTokens/);
  });

  it("maps Gemini's finish reasons and builds the result the server gets", () => {
    expect(stopReasonOf('STOP')).toBe('endTurn');
    expect(stopReasonOf(undefined)).toBe('endTurn');
    expect(stopReasonOf('MAX_TOKENS')).toBe('maxTokens');
    expect(stopReasonOf('SAFETY')).toBe('SAFETY');
    expect(toResult('hi', 'gemini-2.5-flash', 'endTurn')).toEqual({
      role: 'assistant',
      content: { type: 'text', text: 'hi' },
      model: 'gemini-2.5-flash',
      stopReason: 'endTurn',
    });
  });

  it('cuts an answer too long to show, so the server gets exactly what a person saw', () => {
    expect(resultText('short')).toEqual({ text: 'short', truncated: false });
    const long = resultText('x'.repeat(MAX_RESULT_CHARS * 2));
    expect(long.truncated).toBe(true);
    expect(long.text.length).toBeLessThanOrEqual(MAX_RESULT_CHARS + 100);
  });
});
