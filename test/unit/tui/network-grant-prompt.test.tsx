import { render } from 'ink-testing-library';
import { describe, expect, it, vi } from 'vitest';
import type { NetworkGrantAsk } from '../../../src/protocol/questions.js';
import { NetworkGrantPrompt } from '../../../tui/chat/questions/NetworkGrantPrompt.js';
import { plain, press } from './helpers.js';

const ask: NetworkGrantAsk = { kind: 'network_grant', host: 'api.example.com', port: 443, via: 'tls', reason: 'not in the allowlist' };

describe('NetworkGrantPrompt', () => {
  it('shows server, name, port and why, and answers once / session / deny by key', async () => {
    const onAnswer = vi.fn();
    const prompt = render(
      <NetworkGrantPrompt subject={{ kind: 'server', server: 'ctx7' }} ask={ask} queued={0} sending={false} onAnswer={onAnswer} />,
    );
    const frame = plain(prompt.lastFrame());
    expect(frame).toContain('Allow network access?');
    expect(frame).toContain('server ctx7 wants api.example.com:443');
    expect(frame).toContain('why asked: not in the allowlist (seen as tls)');
    expect(frame).toMatch(/o once \(this call\)\s+s for this session\s+d deny/);
    await press(prompt, 'o');
    await press(prompt, 's');
    await press(prompt, 'd');
    expect(onAnswer.mock.calls.map((c) => (c[0] as { decision: string }).decision)).toEqual(['once', 'session', 'deny']);
  });

  it('shows a lookup’s name with the ports a grant would give, and server text inert', () => {
    const prompt = render(
      <NetworkGrantPrompt
        subject={{ kind: 'server', server: 'evil\u001b]52;c;eA==\u0007' }}
        ask={{ ...ask, port: undefined, host: 'x.example.com', via: 'dns' }}
        queued={2}
        sending={false}
        onAnswer={() => undefined}
      />,
    );
    const raw = prompt.lastFrame() ?? '';
    expect(plain(raw)).toContain('wants x.example.com (ports 443 and 80)');
    expect(plain(raw)).toContain('(2 more waiting)');
    expect(raw).not.toContain('\u001b]52');
  });
});
