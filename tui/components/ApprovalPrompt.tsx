import { useState } from 'react';
import { Box } from 'ink';
import { formatArgs } from '../../src/view/args.js';
import { annotationClaims } from '../../src/view/format.js';
import { CHANGED_HEADLINE, changedFields, changeLines } from '../../src/view/tool-change.js';
import type { ApprovalRequestView, ToolCallItem } from '../../src/view/types.js';
import { useKeys } from './keys.js';
import { TextInput } from './TextInput.js';
import { theme } from './theme.js';
import { Text } from './Text.js';

export type ApprovalAnswer = { decision: 'approve'; scope: 'once' | 'session' } | { decision: 'deny'; scope: 'once'; reason?: string };

export interface ApprovalPromptProps {
  call: ToolCallItem & { approval: ApprovalRequestView };
  onAnswer: (answer: ApprovalAnswer) => void;
  isActive?: boolean;
  /** Other approvals waiting behind this one. */
  queued?: number;
  /** An answer is on its way to mcpd. */
  sending?: boolean;
  /** Rows the unfolded arguments may take; longer ones scroll with ↑/↓ (PgUp/PgDn). */
  argRows?: number;
}

/**
 * Asks a person about one tool call: what will run (server, tool, arguments), what the server claims about the
 * tool, and why the policy asks. y approves once, a approves this tool for the session, n denies (then a reason
 * for the model may be typed), e unfolds long arguments (which then scroll, so the prompt always fits the screen).
 */
export function ApprovalPrompt({ call, onAnswer, isActive = true, queued = 0, sending = false, argRows = 20 }: ApprovalPromptProps) {
  const [mode, setMode] = useState<'choose' | 'reason'>('choose');
  const [reason, setReason] = useState('');
  const [expanded, setExpanded] = useState(false);
  const [offset, setOffset] = useState(0);
  const args = formatArgs(call.args, { expanded });
  const claims = annotationClaims(call.approval.annotations);
  const rows = Math.max(3, argRows);
  const maxOffset = expanded ? Math.max(0, args.lines.length - rows) : 0;
  const top = Math.min(offset, maxOffset);
  const shown = expanded ? args.lines.slice(top, top + rows) : args.lines;

  useKeys(
    (input, k) => {
      const key = input.toLowerCase();
      const scroll = (by: number): void => setOffset(Math.max(0, Math.min(maxOffset, top + by)));
      if (key === 'y') onAnswer({ decision: 'approve', scope: 'once' });
      else if (key === 'a') onAnswer({ decision: 'approve', scope: 'session' });
      else if (key === 'n') setMode('reason');
      else if (key === 'e') {
        setExpanded((e) => !e);
        setOffset(0);
      } else if (k.upArrow) scroll(-1);
      else if (k.downArrow) scroll(1);
      else if (k.pageUp) scroll(-rows);
      else if (k.pageDown) scroll(rows);
    },
    { isActive: isActive && mode === 'choose' && !sending },
  );
  useKeys(
    (_input, key) => {
      if (key.escape) setMode('choose');
    },
    { isActive: isActive && mode === 'reason' && !sending },
  );

  const folded = args.hiddenLines > 0 || args.cutStrings > 0;
  return (
    <Box flexDirection="column" borderStyle="round" borderColor={theme.warn} paddingX={1}>
      <Text>
        <Text color={theme.warn} bold>
          Allow this tool call?
        </Text>
        {queued > 0 ? <Text dimColor>{`  (${queued} more waiting)`}</Text> : null}
      </Text>
      <Text>
        <Text dimColor>server </Text>
        <Text bold>{call.server}</Text>
        <Text dimColor>{'  tool '}</Text>
        <Text bold>{call.tool}</Text>
      </Text>
      {call.approval.changed ? <ToolChange changed={call.approval.changed} rows={rows} /> : null}
      <Box flexDirection="column" paddingLeft={2}>
        {shown.map((line, i) => (
          <Text key={i} color={theme.code}>
            {line}
          </Text>
        ))}
        {args.revealed ? (
          <Text color={theme.error}>{'the arguments contain invisible characters, shown as ⟦U+…⟧ (controls as ␛-style pictures)'}</Text>
        ) : null}
        {folded ? (
          <Text dimColor>
            {[
              args.hiddenLines > 0 ? `… ${args.hiddenLines} more lines` : '',
              args.cutStrings > 0 ? `${args.cutStrings} long value(s) cut` : '',
            ]
              .filter(Boolean)
              .join(', ')}
            {' · e to expand'}
          </Text>
        ) : expanded ? (
          <Text dimColor>
            {maxOffset > 0 ? `lines ${top + 1}–${top + shown.length} of ${args.lines.length} · ↑/↓ PgUp/PgDn to scroll · ` : ''}e to fold
          </Text>
        ) : null}
      </Box>
      <Text>
        <Text dimColor>server claims: </Text>
        {claims.length > 0 ? claims.join(', ') : <Text dimColor>nothing about this tool</Text>}
        {claims.length > 0 ? <Text dimColor> (unverified)</Text> : null}
      </Text>
      <Text>
        <Text dimColor>policy asks because: </Text>
        {call.approval.decisionReason}
        {call.approval.expiresAt > 0 ? <Text dimColor>{` · unanswered, it is denied ${expiry(call.approval.expiresAt)}`}</Text> : null}
      </Text>
      {sending ? (
        <Text dimColor>sending your answer…</Text>
      ) : mode === 'choose' ? (
        <Text>
          <Key k="y" /> approve once <Key k="a" /> always allow {call.server}.{call.tool} in this session <Key k="n" /> deny
        </Text>
      ) : (
        <Box flexDirection="column">
          <Text>Deny. Tell the model why (optional; enter sends, esc goes back):</Text>
          <TextInput
            value={reason}
            onChange={setReason}
            onSubmit={(text) => onAnswer({ decision: 'deny', scope: 'once', ...(text.trim() ? { reason: text.trim() } : {}) })}
            isActive={isActive && !sending}
            prompt="reason> "
          />
        </Box>
      )}
    </Box>
  );
}

/** A changed tool (a possible rug pull): said first and in red, with the diff, before anything is approved. */
function ToolChange({ changed, rows }: { changed: { fields: string[]; diff: string }; rows: number }) {
  const { lines, hidden } = changeLines(changed.diff, rows);
  return (
    <Box flexDirection="column" borderStyle="single" borderColor={theme.error} paddingX={1}>
      <Text color={theme.error} bold>
        {`⚠ ${CHANGED_HEADLINE}: the server changed ${changedFields(changed.fields)}.`}
      </Text>
      <Text color={theme.error}>"Always" approvals of it are suspended until you approve it again.</Text>
      {lines.map((line, i) => (
        <Text
          key={i}
          color={line.kind === 'added' ? theme.ok : line.kind === 'removed' ? theme.error : undefined}
          bold={line.kind === 'field'}
          dimColor={line.kind === 'same'}
        >
          {line.text}
        </Text>
      ))}
      {hidden > 0 ? <Text dimColor>{`… ${hidden} more lines of the diff`}</Text> : null}
    </Box>
  );
}

/** "in 5 min", "in 40 s": coarse, so the prompt does not need a clock of its own. */
function expiry(expiresAt: number): string {
  const s = Math.max(0, Math.round((expiresAt - Date.now()) / 1000));
  return s >= 90 ? `in ${Math.round(s / 60)} min` : `in ${s} s`;
}

function Key({ k }: { k: string }) {
  return (
    <Text color={theme.accent} bold>
      {` [${k}]`}
    </Text>
  );
}
