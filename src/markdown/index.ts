export type { Align, Block, Inline } from './types.js';
export { isSafeHref, parseMarkdown, plainText } from './parse.js';
