import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import { assessPolicy } from '../../../src/policy/assess.js';
import { parsePolicy } from '../../../src/policy/parse.js';
import { policyPreset } from '../../../src/policy/presets.js';
import { StatusBar } from '../../../tui/components/StatusBar.js';
import { sessionInfo } from '../view/events.js';
import { plain } from './helpers.js';

const session = sessionInfo({
  id: 's_8f3k2',
  title: 'list the files',
  servers: [
    { name: 'testsrv', state: 'running' },
    { name: 'memory', state: 'stopped' },
    { name: 'filesystem', state: 'crashed' },
  ],
});

describe('StatusBar', () => {
  it('shows connection, session, servers with their sandbox state, model, policy and pending approvals', () => {
    const frame = plain(render(<StatusBar connection={{ kind: 'connected' }} session={session} pending={2} />).lastFrame());
    expect(frame).toContain('● connected');
    expect(frame).toContain('s_8f3k2 "list the files"');
    expect(frame).toContain('testsrv ● running memory ○ stopped filesystem ✗ crashed');
    expect(frame).toContain('gemini-2.5-flash');
    expect(frame).toContain('policy ask');
    expect(frame).toContain('⚠ 2 approvals pending');
  });

  it('marks a server whose config loosens the sandbox', () => {
    const loose = sessionInfo({ servers: [{ name: 'web', state: 'running', loosened: ['network bridge', 'writable mount /data'] }] });
    const frame = plain(render(<StatusBar connection={{ kind: 'connected' }} session={loose} pending={0} />).lastFrame());
    expect(frame).toContain('web ● running (loosened: network bridge, writable mount /data)');
  });

  it('is loud about what mcpd runs loosened: the first item and how many more, right after the link', () => {
    const loosened = ['rootless Podman on cgroup v1 cannot apply memory, CPU or pids limits', 'MCPGW_TEST_EGRESS is set'];
    const frame = render(<StatusBar connection={{ kind: 'connected' }} session={session} pending={0} loosened={loosened} />).lastFrame();
    expect(plain(frame)).toMatch(
      /^● connected\s+LOOSENED: rootless Podman on cgroup v1 cannot apply memory, CPU or pids limits \(\+1\)\s+s_8f3k2/,
    );
    // Without a session (or mcpd) it is still there: it is about the daemon, not the session.
    expect(
      plain(render(<StatusBar connection={{ kind: 'closed' }} session={undefined} pending={0} loosened={['no limits']} />).lastFrame()),
    ).toBe('✗ disconnected   LOOSENED: no limits');
  });

  it('shows nothing of loosening when mcpd runs nothing loosened', () => {
    for (const loosened of [undefined, []]) {
      const frame = plain(
        render(<StatusBar connection={{ kind: 'connected' }} session={session} pending={0} loosened={loosened} />).lastFrame(),
      );
      expect(frame).not.toContain('LOOSENED');
    }
  });

  it('cannot be driven by what the loosened lines hold', () => {
    const frame = render(
      <StatusBar connection={{ kind: 'connected' }} session={undefined} pending={0} loosened={['\u001b]52;c;aGk=\u0007limits\nOK']} />,
    ).lastFrame();
    expect(plain(frame)).toBe('● connected   LOOSENED: ␛]52;c;aGk=␇limits⏎OK');
    expect(frame).not.toContain('\u001b]52');
  });

  it('says when it is reconnecting, and why', () => {
    const frame = plain(
      render(
        <StatusBar connection={{ kind: 'reconnecting', attempt: 3, reason: 'mcpd is not running' }} session={session} pending={0} />,
      ).lastFrame(),
    );
    expect(frame).toContain('◌ reconnecting… (attempt 3) mcpd is not running');
    expect(frame).toContain('testsrv memory filesystem (state unknown)');
    expect(frame).not.toContain('● running');
    expect(frame).not.toContain('approval');
  });

  it('shows connecting and disconnected states', () => {
    expect(plain(render(<StatusBar connection={{ kind: 'connecting' }} session={undefined} pending={0} />).lastFrame())).toBe(
      '◌ connecting…',
    );
    expect(plain(render(<StatusBar connection={{ kind: 'closed' }} session={undefined} pending={0} />).lastFrame())).toBe('✗ disconnected');
  });

  it('is loud when the policy lets every tool run without asking', () => {
    const all = { ...session, policy: 'all', policyAssessment: assessPolicy(policyPreset('all').policy) };
    const frame = render(<StatusBar connection={{ kind: 'connected' }} session={all} pending={0} />).lastFrame() ?? '';
    expect(plain(frame)).toContain('POLICY all: tools run without asking');
    expect(plain(frame)).not.toContain('policy ask');
  });

  it('judges the policy by its rules, not its name', () => {
    const file = parsePolicy('default: ask\nrules:\n  - tool: "*"\n    decision: allow\n');
    if (!file.ok) throw new Error('the test policy must parse');
    const innocentName = { ...session, policy: 'careful.yaml', policyAssessment: assessPolicy(file.policy) };
    const loud = render(<StatusBar connection={{ kind: 'connected' }} session={innocentName} pending={0} />).lastFrame() ?? '';
    expect(plain(loud)).toContain('POLICY careful.yaml: tools run without asking');

    const misleadingName = { ...session, policy: 'all', policyAssessment: assessPolicy(policyPreset('ask').policy) };
    const quiet = plain(render(<StatusBar connection={{ kind: 'connected' }} session={misleadingName} pending={0} />).lastFrame());
    expect(quiet).toContain('policy all');
    expect(quiet).not.toContain('without asking');
  });

  it('says when the policy trusts the servers’ own claims', () => {
    const readOnly = { ...session, policy: 'read-only', policyAssessment: assessPolicy(policyPreset('read-only').policy) };
    const frame = plain(render(<StatusBar connection={{ kind: 'connected' }} session={readOnly} pending={0} />).lastFrame());
    expect(frame).toContain('policy read-only · trusts server claims');
    expect(frame).not.toContain('without asking');
  });

  it('marks an ended session', () => {
    expect(
      plain(render(<StatusBar connection={{ kind: 'connected' }} session={{ ...session, status: 'ended' }} pending={0} />).lastFrame()),
    ).toContain('(ended)');
  });
});
