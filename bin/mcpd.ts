#!/usr/bin/env node
import { homedir } from 'node:os';
import { Command } from 'commander';
import { loadConfig } from '../daemon/config/load.js';
import { testEgressFrom, testEgressWarning } from '../daemon/egress/test-override.js';
import { createLogger, type LogLevel } from '../daemon/logger.js';
import { startDaemon } from '../daemon/main.js';
import { McpgwError, errorMessage } from '../src/errors.js';
import { exitCodeFor, EXIT } from '../src/exit-codes.js';
import { resolvePaths, stateFile } from '../src/paths.js';
import { safeProse } from '../src/text/sanitize.js';
import { VERSION } from '../src/version.js';

const program = new Command('mcpd')
  .description('The mcpgw daemon: owns sandboxes, Redis state and the Gemini loop, and serves Socket.io on loopback.')
  .version(VERSION)
  .option('--config <file>', 'server catalog file (default: $MCPGW_CONFIG, else ~/.config/mcpgw/config.json)')
  .option('--state-dir <dir>', 'state directory (default: $MCPGW_STATE_DIR, else ~/.local/state/mcpgw)')
  .option('--host <host>', 'listen address (default 127.0.0.1)')
  .option('--port <port>', 'listen port (default 7450; 0 picks a free one)', (v) => Number.parseInt(v, 10))
  .option('--log-level <level>', 'debug | info | warn | error', 'info')
  .option('--log-stderr', 'also write the JSON log to stderr')
  .parse();

const opts = program.opts<{ config?: string; stateDir?: string; host?: string; port?: number; logLevel: LogLevel; logStderr?: boolean }>();
const env = opts.stateDir ? { ...process.env, MCPGW_STATE_DIR: opts.stateDir } : process.env;
const paths = resolvePaths(env, homedir());
const log = createLogger({ file: stateFile(paths.stateDir, 'log'), level: opts.logLevel, alsoStderr: Boolean(opts.logStderr) });

try {
  const { catalog, notices, file } = await loadConfig(opts.config, env);
  for (const notice of notices) log.info('config notice', { notice });
  for (const u of catalog.unavailable.values()) log.warn('server unavailable', { server: u.name, reason: u.reason, path: u.path });
  // Test-only: where the gateway goes out and resolves, and the test's own private range its targets live on. Shown
  // by `daemon status` too, and by `doctor` wherever it is set.
  const egress = testEgressFrom(env);
  if (egress) log.warn(testEgressWarning(egress), { ...egress });
  const daemon = await startDaemon({
    ...(egress ? { egress } : {}),
    stateDir: paths.stateDir,
    catalog,
    log,
    env,
    redisUrl: process.env.REDIS_URL,
    ...(opts.host ? { host: opts.host } : {}),
    ...(opts.port !== undefined && !Number.isNaN(opts.port) ? { port: opts.port } : {}),
  });
  process.stdout.write(`mcpd ${VERSION} listening on ${daemon.url} (config: ${file ?? 'none'}, state: ${paths.stateDir})\n`);
  let signals = 0;
  const shutdown = (signal: string): void => {
    if (++signals > 1) process.exit(EXIT.interrupted);
    log.info('shutting down', { signal });
    void daemon.stop().then(() => process.exit(0));
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
} catch (err) {
  log.error('mcpd failed to start', { err });
  process.stderr.write(`mcpd: ${safeProse(errorMessage(err))}\n`);
  process.exit(err instanceof McpgwError ? exitCodeFor(err.code) : EXIT.failure);
}
