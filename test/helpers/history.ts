import type { Content } from '@google/genai';
import { expect } from 'vitest';

/**
 * Asserts a conversation Gemini would accept: every model turn's function calls are answered in the very next
 * turn, each call exactly once with its id and name, and no response answers a call that was not made.
 */
export function expectValidHistory(contents: Content[]): void {
  contents.forEach((content, i) => {
    const calls = (content.parts ?? []).flatMap((p) => (p.functionCall ? [p.functionCall] : []));
    const responses = (content.parts ?? []).flatMap((p) => (p.functionResponse ? [p.functionResponse] : []));
    if (responses.length > 0) {
      const previous = contents[i - 1];
      const asked = (previous?.parts ?? []).flatMap((p) => (p.functionCall ? [p.functionCall] : []));
      expect(previous?.role, `turn ${i} answers calls but does not follow a model turn`).toBe('model');
      expect(responses.map((r) => r.id).sort(), `turn ${i} must answer each call of turn ${i - 1} once`).toEqual(
        asked.map((c) => c.id).sort(),
      );
      for (const r of responses) expect(r.name).toBe(asked.find((c) => c.id === r.id)?.name);
    }
    if (calls.length > 0 && i < contents.length - 1) {
      const next = contents[i + 1];
      expect(next?.role).toBe('user');
      expect((next?.parts ?? []).filter((p) => p.functionResponse).length, `the calls of turn ${i} must be answered in turn ${i + 1}`).toBe(
        calls.length,
      );
    }
  });
}
