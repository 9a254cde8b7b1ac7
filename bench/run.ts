// `npm run bench`: runs every benchmark, prints a summary and records the results with the machine they ran on.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeMachine } from './lib/machine.js';
import { agentLoop } from './agent.js';
import { buildTimes } from './build.js';
import { daemonOverhead, firstResult, throughput } from './daemon.js';
import { egressBench } from './egress.js';
import { runtimeRows } from './runtimes.js';
import { coldStart, concurrentStarts, echoRoundTrip, requireDocker } from './sandbox.js';

const quick = process.argv.includes('--quick');
const only = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length);
const want = (name: string): boolean => !only || only.split(',').includes(name);

await requireDocker();
const results: Record<string, unknown> = { date: new Date().toISOString(), machine: describeMachine(), quick };
if (want('cold')) results.coldStartMs = await coldStart(quick ? 3 : 10);
if (want('echo')) results.echoRoundTripMs = await echoRoundTrip(quick ? 300 : 2000);
if (want('concurrent')) results.concurrentStarts = await concurrentStarts(quick ? [5] : [5, 25, 50, 100]);
if (want('first')) results.sessionFirstResultMs = await firstResult(quick ? 3 : 10);
if (want('overhead')) results.daemonCallOverheadMs = await daemonOverhead(quick ? 300 : 2000);
if (want('throughput')) results.throughput = await throughput(quick ? [1, 10] : [1, 10, 50], quick ? 20 : 100);
if (want('agent')) results.agentLoopMs = await agentLoop(quick ? 20 : 200);
if (want('egress')) results.egress = await egressBench(quick ? 50 : 300, quick ? 64 : 256, quick ? 3 : 10);
if (want('runtimes')) results.runtimes = await runtimeRows(quick ? 3 : 10, quick ? 300 : 1000);
if (want('build')) results.build = await buildTimes(quick ? 3 : 10);

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'results');
// Full runs are the record (commit them, renamed by date and machine); quick and partial runs are scratch.
const file = path.join(dir, quick || only ? 'scratch.json' : 'latest.json');
writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
process.stdout.write(`${JSON.stringify(results, null, 2)}\nwritten to ${path.relative(process.cwd(), file)}\n`);
