/** mcpgw's version, reported to MCP servers, clients and `status`. Kept in step with package.json by a unit test. */
export const VERSION = '0.1.0';
