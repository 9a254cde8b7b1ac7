import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { ToolCatalog } from '../../../daemon/agent/toolset.js';
import type { ToolHost } from '../../../daemon/calls/ports.js';
import { ToolPins } from '../../../daemon/pins/service.js';
import { MemoryStore } from '../../../daemon/store/memory.js';
import type { SessionRecord } from '../../../daemon/store/ports.js';

const rec: SessionRecord = {
  id: 's1',
  owner: 'alice',
  title: '',
  status: 'active',
  model: 'm',
  policyName: 'ask',
  policy: '{}',
  servers: ['srv'],
  createdAt: 0,
  lastActive: 0,
  seq: 0,
};

const echo = (description: string): Tool => ({ name: 'echo', description, inputSchema: { type: 'object' } });

describe('ToolCatalog and tools/list_changed', () => {
  it('the next model round waits for a re-listing under way and offers the changed tool', async () => {
    let listed = echo('first');
    let release: () => void = () => undefined;
    let gate: Promise<void> = Promise.resolve();
    const changed = new Set<() => void>();
    const host: ToolHost = {
      listTools: async () => {
        await gate;
        return [listed];
      },
      callTool: () => Promise.reject(new Error('not called')),
      onToolsChanged: (l) => void changed.add(l),
    };
    const catalog = new ToolCatalog({ sandbox: () => Promise.resolve(host) }, new ToolPins(new MemoryStore()));
    expect((await catalog.forSession(rec)).declarations.map((d) => d.description)).toEqual(['first']);

    // The server changes the tool and says so; its tools/list answer is still on its way when the next round starts.
    gate = new Promise<void>((resolve) => (release = resolve));
    listed = echo('second');
    for (const l of changed) l();
    const next = catalog.forSession(rec);
    release();
    expect((await next).declarations.map((d) => d.description)).toEqual(['second']);
  });
});
