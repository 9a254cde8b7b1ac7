export * from './args.js';
export * from './format.js';
export { isOpen, MAX_OUTPUT_LINES, MAX_SERVER_LOG } from './items.js';
export * from './reduce.js';
export * from './select.js';
export * from './tool-change.js';
export * from './types.js';
export * from './attachments.js';
export * from './sampling.js';
