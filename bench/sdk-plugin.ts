/**
 * The plugin the SDK benchmark serves, in one file that also serves it (which `threads` allows:
 * in a worker thread `serve()` starts nothing). Run as `THREADS=2 node dist/bench/sdk-plugin.js`.
 */
import { pbkdf2Sync } from 'node:crypto';
import { allow, definePlugin, deny, serve } from '../sdk/index.js';

export const KEY = '47a0c79c427728b3df4af62b9228c8ae';
/** About 10 ms of CPU: a salted password hash, as a basic-auth style check would do. */
export const PBKDF2_ITERATIONS = 20_000;

export const plugin = definePlugin({ name: 'bench', module: import.meta.url })
  // A rate far above what the load generator sends: the gateway benchmark measures the hook, not 429s.
  .authCheck('Trivial', (request) => (request.getHeader('Authorization') === KEY ? allow(KEY, { rate: 1e9, per: 1 }) : deny(403)))
  // The same check behind the gateway's ID extractor (bench case 9): the session is cached for an
  // hour, so the gateway calls this once per credential, not per request.
  .authCheck('TrivialCached', (request) =>
    request.getHeader('Authorization') === KEY ? allow(KEY, { rate: 1e9, per: 1, id_extractor_deadline: Math.floor(Date.now() / 1000) + 3600 }) : deny(403),
  )
  .authCheck('Pbkdf2', (request) => {
    const digest = pbkdf2Sync(request.getHeader('Authorization') ?? '', 'salt', PBKDF2_ITERATIONS, 32, 'sha256').toString('hex');
    return allow(digest.slice(0, 16), { rate: 1000, per: 1 });
  })
  // A chain of trivial hooks, for the gateway benchmark's pre + post + response case.
  .pre('BenchPre', (request) => {
    request.setHeader('X-Bench-Pre', '1');
  })
  .post('BenchPost', (request) => {
    request.setHeader('X-Bench-Post', '1');
  })
  .response('BenchResponse', (_request, response) => {
    response.setHeader('X-Bench-Response', '1');
  });

if (process.env['BENCH_SERVE'] === '1') {
  await serve(plugin, { threads: Number(process.env['THREADS'] ?? '0'), logLevel: 'warn', printReady: true });
}
