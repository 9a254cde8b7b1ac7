export * from './content.js';
export * from './events.js';
export * from './questions.js';
export * from './requests.js';
export * from './result.js';
export * from './sampling.js';
export * from './session.js';
export * from './rich.js';
