import { useState } from 'react';
import { Box } from 'ink';
import { fieldLabel, optionTitle, type ElicitContent, type ElicitField, type ElicitValue } from '../../../src/elicitation/fields.js';
import { checkContent, fieldProblem, initialContent, valueFromText } from '../../../src/elicitation/validate.js';
import type { ElicitationAsk, QuestionAnswerInput } from '../../../src/protocol/index.js';
import { useKeys } from '../../components/keys.js';
import { TextInput } from '../../components/TextInput.js';
import { theme } from '../../components/theme.js';
import { Text } from '../../components/Text.js';

export interface ElicitationFormProps {
  server: string;
  ask: ElicitationAsk;
  queued: number;
  sending: boolean;
  onAnswer: (answer: QuestionAnswerInput) => void;
}

/**
 * A server asks the person for input. Which server asks and its message (untrusted text, made inert) stay on top
 * whatever else is shown. A form is filled one field at a time (enter goes on; esc opens the summary, where the
 * answer is sent, declined or cancelled); a URL is shown with its host first and is never opened by mcpgw.
 */
export function ElicitationForm({ server, ask, queued, sending, onAnswer }: ElicitationFormProps) {
  return (
    <Box flexDirection="column" borderStyle="round" borderColor={theme.warn} paddingX={1}>
      <Text>
        <Text color={theme.warn} bold>
          {ask.mode === 'url' ? 'A server asks you to open a link' : 'A server asks for input'}
        </Text>
        {queued > 0 ? <Text dimColor>{`  (${queued} more waiting)`}</Text> : null}
      </Text>
      <Text>
        <Text dimColor>server </Text>
        <Text bold>{server}</Text>
        <Text dimColor> (its words below, not mcpgw's)</Text>
      </Text>
      <Box paddingLeft={2}>
        <Text multiline>{ask.message}</Text>
      </Box>
      {ask.mode === 'url' ? (
        <UrlPrompt ask={ask} sending={sending} onAnswer={onAnswer} />
      ) : (
        <FormPrompt fields={ask.fields} sending={sending} onAnswer={onAnswer} />
      )}
    </Box>
  );
}

function UrlPrompt({
  ask,
  sending,
  onAnswer,
}: {
  ask: Extract<ElicitationAsk, { mode: 'url' }>;
  sending: boolean;
  onAnswer: (a: QuestionAnswerInput) => void;
}) {
  useKeys(
    (input) => {
      const key = input.toLowerCase();
      if (key === 'a') onAnswer({ kind: 'elicitation', action: 'accept' });
      else if (key === 'd') onAnswer({ kind: 'elicitation', action: 'decline' });
      else if (key === 'c') onAnswer({ kind: 'elicitation', action: 'cancel' });
    },
    { isActive: !sending },
  );
  return (
    <Box flexDirection="column">
      <Text>
        <Text dimColor>goes to </Text>
        <Text bold color={theme.error}>
          {ask.url.host}
        </Text>
        {ask.url.secure ? null : <Text color={theme.error}> (not encrypted: http)</Text>}
      </Text>
      <Text color={theme.code}>{ask.url.href}</Text>
      <Text dimColor>mcpgw does not open it: copy it into your browser yourself if you trust {ask.url.host}.</Text>
      {sending ? (
        <Text dimColor>sending your answer…</Text>
      ) : (
        <Keys
          keys={[
            ['a', 'I will open it'],
            ['d', 'decline'],
            ['c', 'cancel'],
          ]}
        />
      )}
    </Box>
  );
}

function FormPrompt({
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
        <Keys
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

/** The input for one field, by its type; `onCommit` is called with the value when the person presses enter. */
function FieldInput({
  field,
  value,
  onCommit,
  onProblem,
}: {
  field: ElicitField;
  value: ElicitValue | undefined;
  onCommit: (value: ElicitValue | undefined) => void;
  onProblem: (problem: string) => void;
}) {
  const [text, setText] = useState(value === undefined || Array.isArray(value) ? '' : String(value));
  const options = field.type === 'enum' || field.type === 'multi' ? field.options : [];
  const start =
    field.type === 'enum'
      ? Math.max(
          0,
          options.findIndex((o) => o.value === value),
        )
      : 0;
  const [cursor, setCursor] = useState(start);
  const [chosen, setChosen] = useState<string[]>(Array.isArray(value) ? value : []);
  const [flag, setFlag] = useState<boolean | undefined>(typeof value === 'boolean' ? value : undefined);
  // A refused entry stays in the box for correcting; a fresh box puts the cursor at its end.
  const [attempt, setAttempt] = useState(0);

  useKeys(
    (input, key) => {
      if (field.type === 'boolean') {
        if (input === 'y' || input === 'Y') setFlag(true);
        else if (input === 'n' || input === 'N') setFlag(false);
        else if (input === ' ' || key.leftArrow || key.rightArrow) setFlag((f) => !f);
        else if (key.return) onCommit(flag);
        return;
      }
      if (key.upArrow) setCursor((c) => Math.max(0, c - 1));
      else if (key.downArrow) setCursor((c) => Math.min(options.length - 1, c + 1));
      else if (field.type === 'multi' && input === ' ') {
        const v = options[cursor]?.value;
        if (v !== undefined) setChosen((c) => (c.includes(v) ? c.filter((x) => x !== v) : [...c, v]));
      } else if (key.return) {
        if (field.type === 'enum') onCommit(options[cursor]?.value);
        else {
          const picked = options.filter((o) => chosen.includes(o.value)).map((o) => o.value);
          onCommit(picked.length === 0 && !field.required ? undefined : picked);
        }
      }
    },
    { isActive: field.type === 'boolean' || field.type === 'enum' || field.type === 'multi' },
  );

  switch (field.type) {
    case 'string':
    case 'number':
    case 'integer':
      return (
        <TextInput
          key={attempt}
          value={text}
          onChange={setText}
          onSubmit={(typed) => {
            setText(typed);
            const parsed = valueFromText(field, typed);
            if (parsed.problem) onProblem(`${fieldLabel(field)} ${parsed.problem}`);
            else onCommit(parsed.value);
            setAttempt((n) => n + 1);
          }}
          prompt={`${field.name}> `}
          {...(field.type === 'string' && field.format ? { placeholder: FORMAT_HINTS[field.format] } : {})}
        />
      );
    case 'boolean':
      return (
        <Text>
          <Text color={flag === true ? theme.ok : undefined} bold={flag === true}>
            {flag === true ? '[x] yes' : '[ ] yes'}
          </Text>
          {'  '}
          <Text color={flag === false ? theme.error : undefined} bold={flag === false}>
            {flag === false ? '[x] no' : '[ ] no'}
          </Text>
          <Text dimColor>{'   y / n / space, enter: next'}</Text>
        </Text>
      );
    case 'enum':
    case 'multi':
      return (
        <Box flexDirection="column">
          {options.map((o, i) => (
            <Text key={o.value}>
              <Text color={theme.accent}>{i === cursor ? '› ' : '  '}</Text>
              {field.type === 'multi' ? (chosen.includes(o.value) ? '[x] ' : '[ ] ') : ''}
              <Text bold={i === cursor}>{o.title}</Text>
              {o.title !== o.value ? <Text dimColor>{` (${o.value})`}</Text> : null}
            </Text>
          ))}
          <Text dimColor>{field.type === 'multi' ? '↑/↓ move, space: choose, enter: next' : '↑/↓ move, enter: choose'}</Text>
        </Box>
      );
  }
}

const FORMAT_HINTS = { email: 'name@example.org', uri: 'https://…', date: 'YYYY-MM-DD', 'date-time': 'YYYY-MM-DDTHH:MM:SSZ' } as const;

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

function Keys({ keys }: { keys: Array<[string, string]> }) {
  return (
    <Text>
      {keys.map(([k, what]) => (
        <Text key={k}>
          <Text color={theme.accent} bold>{`[${k}]`}</Text>
          {` ${what}  `}
        </Text>
      ))}
    </Text>
  );
}
