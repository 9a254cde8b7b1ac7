export interface ArgsText {
  lines: string[];
  /** Lines or characters left out; zero when everything is shown. */
  hiddenLines: number;
  cutStrings: number;
}

/**
 * Pretty-prints tool arguments for an approval: indented JSON, with long strings cut and long documents folded
 * unless `expanded`, so a person can read what will run before saying yes.
 */
export function formatArgs(
  args: Record<string, unknown>,
  options: { expanded?: boolean; maxLines?: number; maxString?: number } = {},
): ArgsText {
  const { expanded = false, maxLines = 12, maxString = 160 } = options;
  let cutStrings = 0;
  const json = JSON.stringify(
    args,
    (_key, value: unknown) => {
      if (expanded || typeof value !== 'string' || value.length <= maxString) return value;
      cutStrings++;
      return `${value.slice(0, maxString)}… (${value.length - maxString} more chars)`;
    },
    2,
  );
  const all = (json ?? '{}').split('\n');
  if (expanded || all.length <= maxLines) return { lines: all, hiddenLines: 0, cutStrings };
  return { lines: all.slice(0, maxLines - 1), hiddenLines: all.length - (maxLines - 1), cutStrings };
}

/** Arguments on one line for headers: `{"message":"hi"}`, cut to `max` characters. */
export function inlineArgs(args: Record<string, unknown>, max = 80): string {
  const text = JSON.stringify(args) ?? '{}';
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
