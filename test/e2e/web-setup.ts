// Builds the test catalog's sandbox images once (as for integration tests). The integration teardown, which
// removes every mcpgw container on the machine, is not reused: web.test.ts checks its own session's containers.
export { setup } from '../integration/global-setup.js';
