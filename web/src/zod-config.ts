import { config } from 'zod';

// zod 4 (bundled with the shared protocol schemas) probes `Function('')` as its schemas are built, to decide whether
// to compile parsers; the page's CSP refuses eval, as it should, and Chromium logs each refusal as an error.
// Jitless parsing never probes. Imported first by main.ts: imports run in order, before any schema is built.
config({ jitless: true });
