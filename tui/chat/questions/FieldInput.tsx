import { useState } from 'react';
import { Box } from 'ink';
import { fieldLabel, type ElicitField, type ElicitValue } from '../../../src/elicitation/fields.js';
import { valueFromText } from '../../../src/elicitation/validate.js';
import { useKeys } from '../../components/keys.js';
import { TextInput } from '../../components/TextInput.js';
import { theme } from '../../components/theme.js';
import { Text } from '../../components/Text.js';

// One field's editor, by its type (a text box, yes/no, one choice, several). It keeps only the entry being edited;
// the value counts once committed to the form (FormPrompt.tsx), which checks it.

/** What a text box of a string field with a format shows while empty. */
const FORMAT_HINTS = { email: 'name@example.org', uri: 'https://…', date: 'YYYY-MM-DD', 'date-time': 'YYYY-MM-DDTHH:MM:SSZ' } as const;

/** The input for one field, by its type; `onCommit` is called with the value when the person presses enter. */
export function FieldInput({
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
