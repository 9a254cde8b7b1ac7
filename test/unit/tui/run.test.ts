import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { McpgwError } from '../../../src/errors.js';
import { latestOpen, pickSession } from '../../../tui/chat/session-pick.js';
import { chooseTarget, createRequest, runChat } from '../../../tui/chat/run.js';
import { sessionInfo } from '../view/events.js';
import { FakeDaemon } from './fake-daemon.js';

describe('runChat', () => {
  it('refuses to run without a terminal and points to mcpgw run', async () => {
    const stdin = Object.assign(new PassThrough(), { isTTY: false }) as unknown as NodeJS.ReadStream;
    const stderr = new PassThrough();
    let written = '';
    stderr.on('data', (chunk: Buffer) => (written += chunk.toString()));
    const code = await runChat(
      {},
      { stdin, stdout: new PassThrough() as unknown as NodeJS.WriteStream, stderr: stderr as unknown as NodeJS.WriteStream },
    );
    expect(code).toBe(2);
    expect(written).toContain('mcpgw chat needs an interactive terminal');
    expect(written).toContain('mcpgw run "your prompt"');
  });
});

describe('chat flags', () => {
  it('resumes by default; --new, and flags that shape a session, start a new one', () => {
    expect(chooseTarget({})).toEqual({ kind: 'resume' });
    expect(chooseTarget({ new: true })).toEqual({ kind: 'new' });
    expect(chooseTarget({ model: 'gemini-2.5-pro' })).toEqual({ kind: 'new' });
    expect(chooseTarget({ session: 's_ab' })).toEqual({ kind: 'id', id: 's_ab' });
    expect(() => chooseTarget({ session: 's_ab', new: true })).toThrow(/cannot be used together/);
    expect(() => chooseTarget({ session: 's_ab', servers: ['testsrv'] })).toThrow(/--servers only apply to a new session/);
  });

  it('sends a preset by name and a policy file by its text', async () => {
    expect(await createRequest({ servers: ['testsrv'], model: 'm', policy: 'read-only' })).toEqual({
      servers: ['testsrv'],
      model: 'm',
      policy: { preset: 'read-only' },
    });
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'mcpgw-policy-')), 'team.yaml');
    writeFileSync(file, 'default: ask\nrules: []\n');
    expect(await createRequest({ policy: file })).toEqual({ policy: { name: 'team.yaml', text: 'default: ask\nrules: []\n' } });
    await expect(createRequest({ policy: '/nonexistent/policy.yaml' })).rejects.toMatchObject({ code: 'bad_request' });
    await expect(createRequest({ policy: ' ' })).rejects.toBeInstanceOf(McpgwError);
  });
});

describe('pickSession', () => {
  it('resumes the most recently active session that has not ended', () => {
    const older = sessionInfo({ id: 's_old', lastActive: 10 });
    const newer = sessionInfo({ id: 's_new', lastActive: 20 });
    const ended = sessionInfo({ id: 's_end', lastActive: 30, status: 'ended' });
    expect(latestOpen([older, ended, newer])?.id).toBe('s_new');
    expect(latestOpen([ended])).toBeUndefined();
  });

  it('creates a session when there is nothing to resume, and finds one by a prefix', async () => {
    const daemon = new FakeDaemon();
    const client = await daemon.connect();
    const created = await pickSession(client, { kind: 'resume' }, { servers: ['testsrv'] });
    expect(created.how).toBe('created');
    expect(daemon.requestsNamed('session:create')).toEqual([{ servers: ['testsrv'] }]);
    const found = await pickSession(client, { kind: 'id', id: created.info.id.slice(0, 3) }, {});
    expect(found).toEqual({ info: expect.objectContaining({ id: created.info.id }), how: 'resumed' });
    await expect(pickSession(client, { kind: 'id', id: 's_zzz' }, {})).rejects.toThrow(
      /no session "s_zzz" \(mcpgw sessions ls lists yours\)/,
    );
  });
});
