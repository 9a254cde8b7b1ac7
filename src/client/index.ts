export * from './questions.js';
export * from './session.js';
