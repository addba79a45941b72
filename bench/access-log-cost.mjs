// CPU per access line through the production logger (createRootLogger: sonic-boom on standard
// output), whole process (main thread and the thread pool's writes), 300k lines 50 per event-loop
// turn. Run against a built checkout, standard output to a file:
//   node bench/access-log-cost.mjs <checkout> > /tmp/lines.log
const root = process.argv[2];
const { createRootLogger } = await import(`${root}/dist/gateway/logging/logger.js`);
const r = createRootLogger({ level: 'info', format: 'json' });
const N = 300_000, PER_TICK = 50;
const rec = (i) => ({ apiId: 'bench', method: 'GET', path: '/bench/x', status: 200, latencyMs: 2.345678 + (i % 7) / 10, upstreamLatencyMs: 2.1234 + (i % 5) / 10, clientIp: '127.0.0.1' });
// warm
for (let i = 0; i < 20000; i++) r.accessLog(rec(i));
await new Promise((res) => setTimeout(res, 200));
const c0 = process.cpuUsage(); const t0 = performance.now();
let i = 0;
await new Promise((resolve) => {
  const step = () => { for (let k = 0; k < PER_TICK && i < N; k++, i++) r.accessLog(rec(i)); if (i < N) setImmediate(step); else resolve(); };
  step();
});
await new Promise((res) => setTimeout(res, 300));
r.flush();
const c = process.cpuUsage(c0);
process.stderr.write(`${root}: ${((c.user + c.system) / N).toFixed(2)} us CPU/line (user ${(c.user / N).toFixed(2)} sys ${(c.system / N).toFixed(2)})\n`);
