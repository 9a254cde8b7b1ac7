// The egress gateway's entry point, run by node inside its own container (see daemon/egress/image.ts). Node
// built-ins and files next to this one only: the image holds nothing else.
import { createInterface } from 'node:readline';
import { Gateway } from './gateway.js';
import type { GatewayCommand, GatewayReport } from './protocol.js';

const write = (report: GatewayReport): void => {
  process.stdout.write(`${JSON.stringify(report)}\n`);
};

const gateway = new Gateway(write);
// Commands run one at a time, in order: an attach finishes binding before the grant that follows it.
let queue = Promise.resolve();
const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
lines.on('line', (line) => {
  if (!line.trim()) return;
  let cmd: GatewayCommand;
  try {
    cmd = JSON.parse(line) as GatewayCommand;
  } catch {
    write({ type: 'log', level: 'error', message: 'unreadable command line' });
    return;
  }
  queue = queue.then(() => gateway.handle(cmd));
});
// mcpd is gone (or closed us on purpose): nothing may be served without it watching.
lines.on('close', () => process.exit(0));
process.on('uncaughtException', (err) => {
  write({ type: 'log', level: 'error', message: `gateway crashed: ${err.stack ?? err.message}` });
  process.exit(70);
});
write({ type: 'ready', pid: process.pid });
