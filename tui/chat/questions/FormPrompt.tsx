import { useState } from 'react';
import { Box } from 'ink';
import { fieldLabel, optionTitle, type ElicitContent, type ElicitField, type ElicitValue } from '../../../src/elicitation/fields.js';
import { checkContent, fieldProblem, initialContent } from '../../../src/elicitation/validate.js';
import type { QuestionAnswerInput } from '../../../src/protocol/index.js';
import { useKeys } from '../../components/keys.js';
import { theme } from '../../components/theme.js';
import { Text } from '../../components/Text.js';
import { FieldInput } from './FieldInput.js';
import { KeyHints } from './KeyHints.js';

// The form mode's walk: one field at a time, then a summary where the answer is sent, declined or cancelled. It owns
// the values and where the person is; what a field's editor looks like is FieldInput's (FieldInput.tsx), and the
// checks against the requested schema are the shared core's (src/elicitation/validate.ts), so the web form agrees.

/** A form, one field at a time; the summary sends the answer only once every field passes the requested schema. */
export function FormPrompt({
  fields,
  sending,
  onAnswer,
}: {
  fields: ElicitField[];
  sending: boolean;
  onAnswer: (a: QuestionAnswerInput) => void;
}) {
  const [values, setValues] = useState<ElicitContent>(() => initialContent(fields));
  const [index, setIndex] = useState(0);
  const [summary, setSummary] = useState(false);
  const [problem, setProblem] = useState<string | undefined>();
  const field = fields[index];

  const set = (name: string, value: ElicitValue | undefined): void =>
    setValues((v) => {
      const next = { ...v };
      if (value === undefined) delete next[name];
      else next[name] = value;
      return next;
    });
  const commit = (f: ElicitField, value: ElicitValue | undefined): void => {
    const why = fieldProblem(f, value);
    if (why) return setProblem(`${fieldLabel(f)} ${why}`);
    setProblem(undefined);
    set(f.name, value);
    if (index + 1 < fields.length) setIndex(index + 1);
    else setSummary(true);
  };
  const send = (): void => {
    const checked = checkContent(fields, values);
    if (checked.ok) return onAnswer({ kind: 'elicitation', action: 'accept', content: checked.content });
    const first = checked.problems[0];
    const at = fields.findIndex((f) => f.name === first?.field);
    setProblem(first ? `${fieldLabel(fields[at] ?? fields[0]!)} ${first.message}` : undefined);
    if (at >= 0) {
      setIndex(at);
      setSummary(false);
    }
  };

  useKeys(
    (input, key) => {
      const k = input.toLowerCase();
      if (key.return || k === 's') send();
      else if (k === 'd') onAnswer({ kind: 'elicitation', action: 'decline' });
      else if (k === 'c') onAnswer({ kind: 'elicitation', action: 'cancel' });
      else if (k === 'e' || key.escape) setSummary(false);
      else if (key.upArrow) setIndex(Math.max(0, index - 1));
      else if (key.downArrow) setIndex(Math.min(fields.length - 1, index + 1));
    },
    { isActive: summary && !sending },
  );
  useKeys(
    (_input, key) => {
      if (key.escape) {
        setProblem(undefined);
        setSummary(true);
      }
    },
    { isActive: !summary && !sending },
  );

  if (sending) return <Text dimColor>sending your answer…</Text>;
  if (summary || !field) {
    return (
      <Box flexDirection="column">
        {fields.map((f, i) => (
          <Text key={f.name}>
            <Text color={i === index ? theme.accent : undefined}>{i === index ? '› ' : '  '}</Text>
            <Text bold>{fieldLabel(f)}</Text>
            {f.required ? <Text color={theme.error}>*</Text> : null}
            <Text dimColor>: </Text>
            {show(f, values[f.name])}
          </Text>
        ))}
        {problem ? <Text color={theme.error}>{problem}</Text> : null}
        <KeyHints
          keys={[
            ['enter', 'send'],
            ['e', 'edit the marked field (↑/↓)'],
            ['d', 'decline'],
            ['c', 'cancel'],
          ]}
        />
      </Box>
    );
  }
  return (
    <Box flexDirection="column">
      <Text>
        <Text dimColor>{`field ${index + 1} of ${fields.length}: `}</Text>
        <Text bold>{fieldLabel(field)}</Text>
        {field.required ? <Text color={theme.error}> * required</Text> : null}
        <Text dimColor>{` (${describeType(field)})`}</Text>
      </Text>
      {field.description ? (
        <Box paddingLeft={2}>
          <Text dimColor multiline>
            {field.description}
          </Text>
        </Box>
      ) : null}
      <FieldInput key={field.name} field={field} value={values[field.name]} onCommit={(v) => commit(field, v)} onProblem={setProblem} />
      {problem ? <Text color={theme.error}>{problem}</Text> : null}
      <Text dimColor>enter: next field · esc: summary (send, decline, cancel)</Text>
    </Box>
  );
}

function describeType(field: ElicitField): string {
  switch (field.type) {
    case 'string': {
      const bounds = [
        field.minLength === undefined ? '' : `≥${field.minLength}`,
        field.maxLength === undefined ? '' : `≤${field.maxLength}`,
      ].filter(Boolean);
      return [field.format ?? 'text', ...(bounds.length ? [`${bounds.join(' ')} chars`] : [])].join(', ');
    }
    case 'number':
    case 'integer': {
      const range = field.minimum !== undefined || field.maximum !== undefined ? ` ${field.minimum ?? '…'}–${field.maximum ?? '…'}` : '';
      return `${field.type === 'integer' ? 'whole number' : 'number'}${range}`;
    }
    case 'boolean':
      return 'yes or no';
    case 'enum':
      return 'one choice';
    case 'multi':
      return 'several choices';
  }
}

function show(field: ElicitField, value: ElicitValue | undefined) {
  if (value === undefined || (Array.isArray(value) && value.length === 0)) return <Text dimColor>(empty)</Text>;
  if (field.type === 'enum' && typeof value === 'string') return <Text>{optionTitle(field, value)}</Text>;
  if (field.type === 'multi' && Array.isArray(value)) return <Text>{value.map((v) => optionTitle(field, v)).join(', ')}</Text>;
  if (typeof value === 'boolean') return <Text>{value ? 'yes' : 'no'}</Text>;
  return <Text>{String(value)}</Text>;
}
