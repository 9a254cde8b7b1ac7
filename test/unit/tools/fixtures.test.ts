/** Replays the captured `tools/list` of the reference servers (refresh: see test/integration/tools-real-servers.test.ts). */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { expectAllCompiled, expectSameParameters, FIXTURE_DIR, toInputs, type ToolFixture } from '../../helpers/tool-fixtures.js';

const SERVERS = ['everything', 'filesystem', 'memory'];

async function load(server: string): Promise<ToolFixture> {
  return JSON.parse(await readFile(new URL(`${server}.json`, FIXTURE_DIR), 'utf8')) as ToolFixture;
}

describe('captured tool schemas', () => {
  it.each(SERVERS)('compiles every tool of %s without losing a parameter', async (server) => {
    const inputs = toInputs(await load(server));
    expect(inputs.length).toBeGreaterThan(0);
    expectSameParameters(inputs, expectAllCompiled(inputs));
  });

  it('compiles all three together', async () => {
    const inputs = (await Promise.all(SERVERS.map(load))).flatMap(toInputs);
    const set = expectAllCompiled(inputs);
    // The only repairs these servers need: the draft-07 `$schema` marker, and one string format Gemini refuses.
    const repairs = new Set(set.tools.flatMap((t) => t.repairs));
    expect([...repairs].sort()).toEqual([
      '#/properties/data: format "uri" is not accepted for string; moved into the description',
      '#: removed keywords Gemini does not accept here: "$schema"',
    ]);
  });

  it('compiles a real schema exactly as expected', async () => {
    const inputs = toInputs(await load('filesystem'));
    const set = expectAllCompiled(inputs);
    const edit = set.tools.find((t) => t.tool === 'edit_file');
    expect(edit?.functionName).toBe('filesystem__edit_file');
    expect(edit?.parametersJsonSchema).toEqual({
      type: 'object',
      properties: {
        path: { type: 'string' },
        edits: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              oldText: { type: 'string', description: 'Text to search for - must match exactly' },
              newText: { type: 'string', description: 'Text to replace with' },
            },
            required: ['oldText', 'newText'],
          },
        },
        dryRun: { type: 'boolean', description: 'Preview changes using git-style diff format', default: false },
      },
      required: ['path', 'edits'],
    });
    expect(edit?.annotations).toEqual({
      readOnlyHint: false,
      destructiveHint: true,
      idempotentHint: false,
      openWorldHint: false,
    });
  });

  it('moves an unsupported format into the description', async () => {
    const set = expectAllCompiled(toInputs(await load('everything')));
    const gzip = set.tools.find((t) => t.tool === 'gzip-file-as-resource');
    const data = (gzip?.parametersJsonSchema.properties as Record<string, unknown>).data;
    expect(data).toEqual({
      type: 'string',
      description: 'URL or data URI of the file content to compress. Format: uri.',
      default: 'https://raw.githubusercontent.com/modelcontextprotocol/servers/refs/heads/main/README.md',
    });
  });
});
