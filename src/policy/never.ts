export { assertNever } from '../checks.js';
