import { Children, Fragment, cloneElement, createElement, isValidElement, type ReactElement, type ReactNode } from 'react';
import { Text as InkText, type TextProps as InkTextProps } from 'ink';
import { safeText } from '../../src/text/sanitize.js';

export type TextProps = InkTextProps & {
  /** Keep newlines (prose); otherwise a newline is shown as ⏎, so no text can start a line of its own. */
  multiline?: boolean;
  /** Keep emoji sequences (prose); otherwise every zero-width joiner and variation selector is shown as a code. */
  emoji?: boolean;
};

/**
 * Ink's Text, but every string in it is made inert first (src/text/sanitize.ts): a control character cannot drive the
 * terminal and a hidden one is shown as a code. The TUI prints server and model text in many places; sanitising here,
 * where text meets the terminal, covers them all, and lint forbids importing Ink's own Text anywhere else. Strings
 * that a child component renders itself are that component's to wrap in this Text.
 *
 * The default is the strict single-line form (names, titles, headers): forgetting `multiline` costs a ⏎, not a
 * forged line in an approval box.
 */
export function Text({ multiline = false, emoji = false, children, ...props }: TextProps) {
  const clean = (node: ReactNode): ReactNode => {
    if (typeof node === 'string') return safeText(node, { multiline, emoji });
    if (Array.isArray(node)) return node.map(clean);
    if (isValidElement(node) && node.type === Fragment) {
      const fragment = node as ReactElement<{ children?: ReactNode }>;
      return cloneElement(fragment, undefined, ...Children.toArray(fragment.props.children).map(clean));
    }
    return node;
  };
  // Spread, not one array child: JSX children passed this way need no keys, as when they were written inline.
  const parts = Array.isArray(children) ? children.map(clean) : [clean(children)];
  return createElement(InkText, props, ...parts);
}
