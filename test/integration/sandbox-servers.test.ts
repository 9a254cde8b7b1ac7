import { afterAll, describe, expect, it } from 'vitest';
import { testServer } from '../helpers/catalog.js';
import { currentInstanceId } from '../../daemon/sandbox/instance.js';
import { builder, containersOf, engine, testRuntime } from '../helpers/docker.js';

const runtime = testRuntime();
const session = `servers-${process.pid}`;

afterAll(async () => {
  await runtime.closeAll();
  expect(await containersOf(session)).toEqual([]);
});

const textOf = (result: { content: unknown }): string =>
  (result.content as Array<{ type: string; text?: string }>)
    .filter((c) => c.type === 'text')
    .map((c) => c.text)
    .join('\n');

describe('real MCP servers from npm, each in its own sandbox', () => {
  it('server-everything starts, lists its tools and echoes', async () => {
    const sandbox = await runtime.acquire(session, testServer('everything'));
    const names = (await sandbox.listTools()).map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining(['echo', 'get-sum', 'trigger-long-running-operation']));
    const result = await sandbox.callTool('echo', { message: 'hello from the host' });
    expect(textOf(result)).toBe('Echo: hello from the host');
  });

  it('server-everything reports progress for a long-running operation', async () => {
    const sandbox = await runtime.acquire(session, testServer('everything'));
    const progress: number[] = [];
    const result = await sandbox.callTool(
      'trigger-long-running-operation',
      { duration: 1, steps: 3 },
      { onProgress: (p) => progress.push(p.progress) },
    );
    // The last notification arrives together with the response; the SDK's own stdio transport loses it (see
    // DockerStreamTransport.deliver), this transport must not.
    expect(progress).toEqual([1, 2, 3]);
    expect(textOf(result)).toContain('Long running operation completed');
  });

  it('server-filesystem reads a host file mounted read-only, and cannot write it', async () => {
    const sandbox = await runtime.acquire(session, testServer('filesystem'));
    expect((await sandbox.listTools()).map((t) => t.name)).toContain('read_text_file');
    const read = await sandbox.callTool('read_text_file', { path: '/data/hello.txt' });
    expect(textOf(read)).toBe('Hello from the host, read-only.\n');
    const write = await sandbox.callTool('write_file', { path: '/data/new.txt', content: 'nope' });
    expect(write.isError).toBe(true);
    expect(textOf(write)).toMatch(/read-only file system|EROFS/i);
  });

  it('server-memory keeps its state across calls within the sandbox', async () => {
    const sandbox = await runtime.acquire(session, testServer('memory'));
    await sandbox.callTool('create_entities', {
      entities: [{ name: 'mcpgw', entityType: 'project', observations: ['runs MCP servers in containers'] }],
    });
    await sandbox.callTool('add_observations', { observations: [{ entityName: 'mcpgw', contents: ['asks before every call'] }] });
    const graph = JSON.parse(textOf(await sandbox.callTool('read_graph', {}))) as {
      entities: Array<{ name: string; observations: string[] }>;
    };
    expect(graph.entities).toEqual([
      expect.objectContaining({ name: 'mcpgw', observations: ['runs MCP servers in containers', 'asks before every call'] }),
    ]);
  });

  it('closing while the warm pool is still filling waits for those starts and leaves no container behind', async () => {
    let open: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (open = resolve));
    let resolved = 0;
    const pooled = testRuntime({ resolveImage: async (server) => (await gate, resolved++, builder.imageFor(server, { build: false })) });
    pooled.warm(testServer('testsrv'), 2);
    let closed = false;
    const closing = pooled.closeAll().then(() => (closed = true));
    await Promise.resolve();
    expect(closed).toBe(false); // still waiting for the two pool starts
    open();
    await closing;
    expect(resolved).toBe(2);
    expect(pooled.stats()).toMatchObject({ running: 0, pooled: 0 });
    await expect(pooled.acquire('after-close', testServer('testsrv'))).rejects.toMatchObject({ code: 'cancelled' });
    const mine = (await engine.listManaged()).filter((c) => c.labels['mcpgw.instance'] === currentInstanceId());
    expect(mine.filter((c) => c.labels['mcpgw.session'] === 'pool')).toEqual([]);
  });

  it('starts each (session, server) once even when asked concurrently', async () => {
    const other = `${session}-single-flight`;
    const [a, b, c] = await Promise.all([1, 2, 3].map(() => runtime.acquire(other, testServer('testsrv'))));
    expect(a).toBe(b);
    expect(b).toBe(c);
    expect(await containersOf(other)).toHaveLength(1);
    await runtime.release(other);
    expect(await containersOf(other)).toEqual([]);
  });
});
