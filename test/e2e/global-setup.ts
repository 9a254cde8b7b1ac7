// Builds the test catalog's sandbox images once, like the integration project. The integration teardown (which
// removes every mcpgw container on the machine) is not reused: other test runs may share this Docker engine, so the
// e2e tests check only the containers of their own sessions (see chat.test.ts).
export { setup } from '../integration/global-setup.js';
