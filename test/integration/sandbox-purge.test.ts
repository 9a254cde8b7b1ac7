import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { isInstanceAlive } from '../../daemon/sandbox/instance.js';
import { testServer } from '../helpers/catalog.js';
import { containersOf, engine, testRuntime } from '../helpers/docker.js';

const runtime = testRuntime();
const session = `purge-${process.pid}`;

afterAll(async () => {
  await runtime.closeAll();
});

/** Runs a process that starts a sandbox, and kills it with SIGKILL once the sandbox is up. */
async function orphanFromKilledProcess(orphanSession: string): Promise<string> {
  const script = fileURLToPath(new URL('../fixtures/orphan-maker.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', script, orphanSession], { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  child.stdout.setEncoding('utf8');
  for await (const chunk of child.stdout) {
    output += chunk as string;
    if (output.includes('\n')) break;
  }
  const containerId = /^ready (\w+)/.exec(output)?.[1];
  child.kill('SIGKILL');
  await once(child, 'exit');
  if (!containerId) throw new Error(`orphan maker said: ${output}`);
  return containerId;
}

describe('orphan purge', () => {
  it('removes containers whose owning process was killed, and only those', async () => {
    const mine = await runtime.acquire(session, testServer('testsrv'));
    const orphanId = await orphanFromKilledProcess(`${session}-orphan`);
    expect(await containersOf(`${session}-orphan`)).toEqual([orphanId]);

    const removed = await runtime.purgeOrphans(isInstanceAlive);

    expect(removed.length).toBeGreaterThanOrEqual(1);
    expect(await containersOf(`${session}-orphan`)).toEqual([]);
    // The live owner's sandbox is untouched and still answers.
    expect(await containersOf(session)).toEqual([mine.containerId]);
    expect((await mine.callTool('echo', { message: 'alive' })).content).toEqual([{ type: 'text', text: 'echo: alive' }]);
    expect((await engine.inspect(mine.containerId)).State.Running).toBe(true);
  });
});
