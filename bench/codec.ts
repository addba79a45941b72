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
import { hookRequest } from '../sdk/testing/index.js';
import { KEY } from './sdk-plugin.js';

const ITERATIONS = Number(process.env['BENCH_ITERATIONS'] ?? '20000');
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? '5');

const object = hookRequest()
  .get('/bench/orders/1234?expand=items&page=2')
  .header('Authorization', KEY)
  .header('User-Agent', 'Mozilla/5.0 (X11; Linux x86_64) bench/1.0')
  .header('Accept', 'application/json')
  .header('Accept-Encoding', 'gzip, deflate, br')
  .header('Accept-Language', 'en-GB,en;q=0.9')
  .header('X-Request-Id', '7f3c1a9e-5b2d-4c8e-9a1f-2d3e4f5a6b7c')
  .header('X-Forwarded-For', '203.0.113.7')
  .header('Cookie', 'session=abcdef0123456789; theme=dark')
  .header('Traceparent', '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01')
  .api({ id: 'orders-api', orgId: 'acme', bundle: 'auth-bundle.zip' })
  .configData({ tier: 'gold', upstream_timeout: 30, features: ['audit', 'quota'], owner: 'platform-team' })
  .build('Trivial', 'auth_check');
// As the gateway's: an API's spec map is built once at load, frozen.
object.spec = Object.freeze({ ...object.spec });
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
