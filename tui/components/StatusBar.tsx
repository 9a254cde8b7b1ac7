import { Box } from 'ink';
import type { PolicyAssessment } from '../../src/policy/assess.js';
import type { SessionInfo } from '../../src/protocol/session.js';
import { loosenedMarker } from '../../src/view/format.js';
import { containerGlyph, theme } from './theme.js';
import { Text } from './Text.js';

/** The link to mcpd, as the status bar shows it. */
export type ConnectionState =
  { kind: 'connecting' } | { kind: 'connected' } | { kind: 'reconnecting'; attempt: number; reason?: string } | { kind: 'closed' };

export interface StatusBarProps {
  connection: ConnectionState;
  session: SessionInfo | undefined;
  pending: number;
  /** The container engine, e.g. "Docker 20.10.24". */
  engine?: string;
  /** What mcpd runs loosened beyond its defaults (`daemon:status`), shown loudly while there is any. */
  loosened?: readonly string[] | undefined;
}

/** One line of facts: connection, what mcpd runs loosened, session, servers and their sandboxes, model, policy, pending approvals. */
export function StatusBar({ connection, session, pending, engine, loosened }: StatusBarProps) {
  const marker = loosenedMarker(loosened);
  return (
    <Box flexWrap="wrap" columnGap={2}>
      <ConnectionBadge connection={connection} />
      {marker ? (
        // Daemon-wide and first after the link: a sandbox running with less protection than it says must not be missed.
        <Text backgroundColor={theme.error} color="white" bold>
          {` ${marker} `}
        </Text>
      ) : null}
      {session ? (
        <>
          <Text>
            <Text bold>{session.id}</Text>
            {session.title ? <Text dimColor>{` ${JSON.stringify(truncate(session.title, 32))}`}</Text> : null}
            {session.status === 'ended' ? <Text color={theme.error}> (ended)</Text> : null}
          </Text>
          {connection.kind === 'connected' ? (
            <Text>
              {session.servers.length === 0 ? <Text dimColor>no servers</Text> : null}
              {session.servers.map((server, i) => {
                const { mark, color } = containerGlyph(server.state);
                return (
                  <Text key={server.name}>
                    {i > 0 ? ' ' : ''}
                    {server.name}
                    <Text color={color}>{` ${mark} ${server.state}`}</Text>
                    {server.runtime?.startsWith('runsc') ? <Text dimColor>{' gVisor'}</Text> : null}
                    {server.loosened?.length ? <Text color={theme.warn}>{` (loosened: ${server.loosened.join(', ')})`}</Text> : null}
                  </Text>
                );
              })}
            </Text>
          ) : (
            // Without mcpd, sandbox states are unknown: name the servers, claim nothing about them.
            <Text dimColor>{`${session.servers.map((s) => s.name).join(' ') || 'no servers'} (state unknown)`}</Text>
          )}
          <Text dimColor>{session.model}</Text>
          <PolicyBadge policy={session.policy} assessment={session.policyAssessment} />
        </>
      ) : null}
      {engine ? <Text dimColor>{engine}</Text> : null}
      {pending > 0 ? (
        <Text color={theme.warn} bold>
          {`⚠ ${pending} approval${pending === 1 ? '' : 's'} pending`}
        </Text>
      ) : null}
    </Box>
  );
}

function ConnectionBadge({ connection }: { connection: ConnectionState }) {
  switch (connection.kind) {
    case 'connected':
      return <Text color={theme.ok}>● connected</Text>;
    case 'connecting':
      return <Text color={theme.warn}>◌ connecting…</Text>;
    case 'reconnecting':
      return (
        <Text color={theme.warn} bold>
          {`◌ reconnecting… (attempt ${connection.attempt})`}
          {connection.reason ? <Text dimColor>{` ${connection.reason}`}</Text> : null}
        </Text>
      );
    case 'closed':
      return <Text color={theme.error}>✗ disconnected</Text>;
  }
}

/** Drawn from mcpd's assessment of the policy's rules, not its name: running tools unasked must be impossible to miss. */
function PolicyBadge({ policy, assessment }: { policy: string; assessment: PolicyAssessment }) {
  switch (assessment.level) {
    case 'dangerous':
      return (
        <Text backgroundColor={theme.error} color="white" bold>
          {` POLICY ${policy}: tools run without asking `}
        </Text>
      );
    case 'trusts-claims':
      return (
        <Text color={theme.warn}>
          {`policy ${policy} · `}
          <Text bold>trusts server claims</Text>
        </Text>
      );
    case 'safe':
      return <Text dimColor>{`policy ${policy}`}</Text>;
  }
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
