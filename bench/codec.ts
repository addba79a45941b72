/**
 * `npm run bench:codec`: CPU per Object encode and decode in one process, the fast codec
 * (coprocess/protocol/fast-codec.ts) against the reference protobufjs codec, on the request and
 * reply of bench:dispatch (an auth_check Object with 10 headers and config_data; the reply with
 * a session). Rounds interleaved, medians of CPU time (user + sys), so a busy machine moves the
 * figures less than it moves wall time. Prints a table and appends it to bench/RESULTS.md.
 */
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeAppliedReply, decodeObject, decodeObjectFast, encodeObject, encodeObjectFast } from '../coprocess/protocol/index.js';
import { PACKAGE_ROOT } from '../gateway/meta.js';
import { benchAuthObject } from './auth-object.js';
import { KEY } from './sdk-plugin.js';

const ITERATIONS = Number(process.env['BENCH_ITERATIONS'] ?? '20000');
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? '5');

const object = benchAuthObject();
const reply = encodeObject({ ...object, session: { rate: 1e9, per: 1, metadata: { token: KEY } }, metadata: { token: KEY } });

const cases: [string, () => unknown][] = [
  ['encode the request, reference (protobufjs fromObject + encode)', () => encodeObject(object)],
  ['encode the request, fast (frozen spec reused)', () => encodeObjectFast(object)],
  ['decode the reply, reference (protobufjs decode + toObject)', () => decodeObject(reply)],
  ['decode the reply, fast, every field (the SDK server)', () => decodeObjectFast(reply)],
  ['decode the reply, fast, applied fields only (the gateway)', () => decodeAppliedReply(reply)],
];

const samples = cases.map(() => [] as number[]);
for (const [, run] of cases) for (let i = 0; i < 2000; i++) run();
for (let round = 0; round < ROUNDS; round++) {
  cases.forEach(([, run], i) => {
    const start = process.cpuUsage();
    for (let n = 0; n < ITERATIONS; n++) run();
    const used = process.cpuUsage(start);
    samples[i]?.push((used.user + used.system) / ITERATIONS);
  });
}
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;
const table = [
  `## ${new Date().toISOString()} Object codec CPU (bench/codec.ts)`,
  '',
  `Command: \`npm run bench:codec\` (Node ${process.version}; one process; ${ROUNDS} interleaved rounds of ${ITERATIONS} calls per case, medians of user+sys CPU; request ${encodeObject(object).length} bytes, reply ${reply.length} bytes)`,
  '',
  '| case | CPU us per call |',
  '| --- | ---: |',
  ...cases.map(([name], i) => `| ${name} | ${median(samples[i] ?? []).toFixed(2)} |`),
  '',
].join('\n');
process.stdout.write(`${table}\n`);
appendFileSync(join(PACKAGE_ROOT, 'bench', 'RESULTS.md'), `\n${table}`);
