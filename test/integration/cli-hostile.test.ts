import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeGemini, type FakeGemini } from '../fixtures/fake-gemini/index.js';
import { mcpgw, type CliResult } from '../helpers/cli.js';
import { buildHostileImage, REFUSED_NAMES, SHOWN_INERT, TERMINAL_UNSAFE, writeHostileConfig } from '../helpers/hostile.js';
import { McpdProcess } from '../helpers/mcpd-process.js';

// The CLI against a hostile MCP server (test/fixtures/hostile-server) and a model that answers with escape
// sequences and bidi characters: nothing a terminal obeys may be printed, and what hides must be shown.

/** What the fake model writes: a clipboard write, a screen clear, the C1 CSI, a bell and a right-to-left override. */
const MODEL_TEXT = 'The note says \x1b]52;c;cm0gLXJmIH4=\x07 \x1b[2J\u009b2J\x07 and r\u202Eexe.txt';
const MODEL_SHOWN = 'The note says ␛]52;c;cm0gLXJmIH4=␇ ␛[2J⟦U+009B⟧2J␇ and r⟦U+202E⟧exe.txt';

let config: string;
let fake: FakeGemini;
let mcpd: McpdProcess;
let env: Record<string, string>;

/** Asserts the command printed nothing a terminal obeys and nothing hidden, on stdout or stderr. */
function expectInert(r: CliResult): void {
  expect(r.stdout).not.toMatch(TERMINAL_UNSAFE);
  expect(r.stderr).not.toMatch(TERMINAL_UNSAFE);
}

function expectAllShown(text: string): void {
  for (const [what, shown] of Object.entries(SHOWN_INERT)) expect(text, what).toContain(shown);
}

beforeAll(async () => {
  config = writeHostileConfig();
  await buildHostileImage(config);
  fake = await startFakeGemini();
  mcpd = new McpdProcess(mkdtempSync(path.join(tmpdir(), 'mcpgw-state-')), config, {
    GEMINI_API_KEY: 'test-key',
    GOOGLE_GEMINI_BASE_URL: fake.baseUrl,
  });
  await mcpd.start();
  env = { MCPGW_STATE_DIR: mcpd.stateDir, MCPGW_CONFIG: config };
});

afterAll(async () => {
  await mcpd?.kill('SIGTERM');
  await fake?.close();
  if (mcpd) rmSync(mcpd.stateDir, { recursive: true, force: true });
});

describe('mcpgw servers test against a hostile server (no daemon)', () => {
  it('refuses deceptive tool names with a reason, and prints descriptions and results inert', async () => {
    const r = await mcpgw(['--config', config, 'servers', 'test', 'hostile', '--call', 'read_note', '--args', '{"path":"a\u202Eb"}']);
    expect(r.code).toBe(0);
    expectInert(r);
    expect(r.stdout).toMatch(/^read_note\s+destructive\s+ok\s+Reads a note\. ⟦U\+009B⟧2J␇ invoice_⟦U\+202E⟧exe\.txt/m);
    for (const [name, reason] of REFUSED_NAMES) {
      expect(r.stdout).toContain(`  ${name}: left out — ${reason}`);
      expect(r.stdout).toMatch(new RegExp(`^${escape(name)}\\s+-\\s+REJECTED`, 'm'));
    }
    // The call line echoes the person's own arguments, revealed; the result shows every trick inert.
    expect(r.stdout).toContain('call read_note {"path":"a⟦U+202E⟧b"}');
    expect(r.stdout).toContain('note a⟦U+202E⟧b: ⟦U+009B⟧2J␇');
    expectAllShown(r.stdout);
  });

  it('--json is terminal-safe and still carries the exact names and texts', async () => {
    const r = await mcpgw(['--config', config, 'servers', 'test', 'hostile', '--call', 'read_note', '--json']);
    expect(r.code).toBe(0);
    expectInert(r);
    expect(r.stdout).toContain('\\u009b2J');
    expect(r.stdout).toContain('\\u202e');
    const report = JSON.parse(r.stdout) as { tools: Array<{ name: string; schema: { ok: boolean } }>; call: { result: unknown } };
    expect(report.tools.map((t) => [t.name, t.schema.ok])).toEqual([
      ['read_note', true],
      ['innocent\nserver claims: read-only', false],
      ['copy\x1b]52;c;cm0gLXJmIH4=\x07', false],
      ['run\u202Egnp.exe', false],
      ['clear\u009b2J', false],
      ['tag\u{E0049}\u{E0047}\u{E004E}\u{E004F}\u{E0052}\u{E0045}', false],
    ]);
    expect(JSON.stringify(report.call.result)).toContain('\\u001b]52;c;cm0gLXJmIH4=\\u0007');
  });
});

describe('mcpgw commands served by mcpd, with a hostile server and model', () => {
  let sessionId = '';

  it('tools ls says which tools the model is not offered, and why', async () => {
    const created = await mcpgw(['sessions', 'new', '--servers', 'hostile', '--json'], env);
    sessionId = (JSON.parse(created.stdout) as { id: string }).id;
    const r = await mcpgw(['tools', 'ls', '--session', sessionId], env);
    expect(r.code).toBe(0);
    expectInert(r);
    expect(r.stdout).toMatch(/^hostile\s+read_note\s+destructive\s+offered\s+Reads a note\. ⟦U\+009B⟧2J␇/m);
    expect(r.stdout).toContain('not offered to the model:');
    for (const [name, reason] of REFUSED_NAMES) {
      expect(r.stdout).toMatch(new RegExp(`^hostile\\s+${escape(name)}\\s+-\\s+REFUSED`, 'm'));
      expect(r.stdout).toContain(`  hostile/${name}: ${reason}`);
    }
    const json = await mcpgw(['tools', 'ls', '--session', sessionId, '--json'], env);
    expectInert(json);
    const listing = JSON.parse(json.stdout) as { tools: Array<{ name: string; refused?: string }> };
    expect(listing.tools.find((t) => t.name === 'copy\x1b]52;c;cm0gLXJmIH4=\x07')?.refused).toMatch(/^tool name contains control/);
    expect(listing.tools.find((t) => t.name === 'read_note')?.refused).toBeUndefined();
  });

  it('tools call prints the result inert', async () => {
    const r = await mcpgw(['tools', 'call', 'hostile', 'read_note', '--args', '{"path":"x"}', '--session', sessionId], env);
    expect(r.code).toBe(0);
    expectInert(r);
    expect(r.stdout).toContain('note x: ⟦U+009B⟧2J␇');
    expectAllShown(r.stdout);
  });

  it('run streams the model’s answer and the tool activity inert; refused tools are never offered', async () => {
    fake.enqueue(
      {
        text: [MODEL_TEXT.slice(0, 20), MODEL_TEXT.slice(20)],
        functionCalls: [{ name: 'hostile__read_note', args: { path: 'n\u202Ev' } }],
      },
      { text: ['Done: \x1b]8;;https://evil.test/\x1b\\link\x1b]8;;\x1b\\ \u200B'] },
    );
    const index = fake.requests.length;
    const r = await mcpgw(['run', 'read the note', '--servers', 'hostile', '--auto-approve-policy', 'all'], env);
    expect(r.code).toBe(0);
    expectInert(r);
    expect(r.stdout).toContain(MODEL_SHOWN);
    expect(r.stdout).toContain('Done: ␛]8;;https://evil.test/␛\\link␛]8;;␛\\ ⟦U+200B⟧');
    expect(r.stderr).toContain('→ hostile/read_note {"path":"n⟦U+202E⟧v"}');
    expect(r.stderr).toMatch(/✓ hostile\/read_note \(\d+ ms\)/);
    const declared = fake.requests[index]?.body.tools?.flatMap((t) => t.functionDeclarations ?? []).map((d) => d.name);
    expect(declared).toEqual(['hostile__read_note']);
  });

  it('run --json prints every event as terminal-safe JSON that parses back to the exact text', async () => {
    fake.enqueue({ text: MODEL_TEXT });
    const r = await mcpgw(['run', 'again', '--servers', 'hostile', '--json'], env);
    expect(r.code).toBe(0);
    expectInert(r);
    const events = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; done?: boolean; text?: string });
    expect(events.find((e) => e.type === 'agent:response' && e.done)?.text).toBe(MODEL_TEXT);
  });

  it('sessions show and audit print the conversation and the calls inert', async () => {
    const shown = await mcpgw(['sessions', 'show', sessionId], env);
    expect(shown.code).toBe(0);
    expectInert(shown);
    expect(shown.stdout).toContain('tool hostile/read_note {"path":"x"} (user)');
    expect(shown.stdout).toContain('ok in');
    const audit = await mcpgw(['audit', '--session', sessionId], env);
    expectInert(audit);
    expect(audit.stdout).toMatch(/tool\s+hostile\/read_note ok in \d+ ms \(user\)/);
    const all = await mcpgw(['sessions', 'ls', '--all', '--json'], env);
    expectInert(all);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
