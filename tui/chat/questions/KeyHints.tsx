import { theme } from '../../components/theme.js';
import { Text } from '../../components/Text.js';

/** The keys a question prompt answers to, as `[k] what` hints on one line. */
export function KeyHints({ keys }: { keys: Array<[string, string]> }) {
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
