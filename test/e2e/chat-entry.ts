// Runs `mcpgw chat` from the sources, the way bin/mcpgw.ts will once it is wired: flags in, exit code out.
import { parseArgs } from 'node:util';
import { errorMessage, isMcpgwError } from '../../src/errors.js';
import { exitCodeFor, EXIT } from '../../src/exit-codes.js';
import { runChat, type ChatOptions } from '../../tui/chat/run.js';

const { values } = parseArgs({
  options: {
    config: { type: 'string' },
    new: { type: 'boolean' },
    session: { type: 'string' },
    servers: { type: 'string' },
    model: { type: 'string' },
    'auto-approve-policy': { type: 'string' },
  },
});

const options: ChatOptions = {
  ...(values.config ? { config: values.config } : {}),
  ...(values.new ? { new: true } : {}),
  ...(values.session ? { session: values.session } : {}),
  ...(values.servers ? { servers: values.servers.split(',') } : {}),
  ...(values.model ? { model: values.model } : {}),
  ...(values['auto-approve-policy'] ? { policy: values['auto-approve-policy'] } : {}),
};

try {
  process.exitCode = await runChat(options);
} catch (err) {
  process.stderr.write(`mcpgw chat: ${errorMessage(err)}\n`);
  process.exitCode = isMcpgwError(err) ? exitCodeFor(err.code) : EXIT.failure;
}
