import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { parseConfigText } from '../../daemon/config/load.js';
import { parseCatalog, type Catalog, type ServerConfig } from '../../src/config/catalog.js';

/** The servers the integration tests run: three real ones from npm and the hand-written test server. */
export const TEST_CONFIG_FILE = fileURLToPath(new URL('../fixtures/servers.json', import.meta.url));

/**
 * MCPGW_TEST_RUNTIME=runsc: configs the tests write run their sandboxes under gVisor (mcpd and the CLI read it from
 * `sandbox.runtime`; in-process runtimes from test/helpers/docker.ts). Merged under the config's own `sandbox`.
 */
export function withTestRuntime(config: Record<string, unknown>): Record<string, unknown> {
  const runtime = process.env.MCPGW_TEST_RUNTIME;
  if (!runtime) return config;
  return { ...config, sandbox: { runtime, ...((config.sandbox as object | undefined) ?? {}) } };
}

/** The test config file's `mcpServers` entries as written, for tests that change one or add their own. */
export function testServerEntries(): Record<string, Record<string, unknown>> {
  return (JSON.parse(readFileSync(TEST_CONFIG_FILE, 'utf8')) as { mcpServers: Record<string, Record<string, unknown>> }).mcpServers;
}

/** Loads the test catalog the same way mcpgw loads a user's config file. */
export function testCatalog(): Catalog {
  return parseConfigText(readFileSync(TEST_CONFIG_FILE, 'utf8'), TEST_CONFIG_FILE).catalog;
}

/** One server of the test catalog, optionally with fields overridden. */
export function testServer(name: string, overrides: Partial<ServerConfig> = {}): ServerConfig {
  const server = testCatalog().servers.get(name);
  if (!server) throw new Error(`no test server ${name}`);
  return { ...server, ...overrides };
}

/** A server made from one config entry, with every default applied as the loader would (absolute paths only). */
export function serverOf(name: string, entry: Record<string, unknown>): ServerConfig {
  const result = parseCatalog({ mcpServers: { [name]: entry } });
  const server = result.ok ? result.catalog.servers.get(name) : undefined;
  if (!server)
    throw new Error(`entry ${name} does not parse: ${JSON.stringify(result.ok ? result.catalog.unavailable.get(name) : result.issues)}`);
  return server;
}
