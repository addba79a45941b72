import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PACKAGE_ROOT } from '../../gateway/meta.js';
import type { GatewayProcess } from '../helpers/gateway-process.js';
import { request, tykError } from '../helpers/http.js';
import { hasProgram, requireProgram } from '../helpers/programs.js';
import { bridgeStarts, pythonApi, pythonGateway, running, until, workerChildren, writeBundle } from '../helpers/python.js';
import { tempDir, type TempDir } from '../helpers/tmp.js';
import { startUpstream, type TestUpstream } from '../helpers/upstream.js';

const FAULTS = readFileSync(join(PACKAGE_ROOT, 'test', 'fixtures', 'python', 'faults.py'), 'utf8');
const DEADLINE_MS = 1000;

/** Calls that must keep working: the worker pid that served them. */
async function healthy(gw: GatewayProcess, up: TestUpstream): Promise<string> {
  const res = await request(gw.url('/pre/ok'));
  assert.equal(res.status, 200, res.text());
  return String(up.received.at(-1)?.headers['x-worker-pid']);
}

describe('Python bridge faults: the bridge keeps serving', { skip: !hasProgram('python3') && process.env['CI'] !== 'true' ? 'python3 is not installed' : false }, () => {
  let dir: TempDir;
  let up: TestUpstream;
  let gw: GatewayProcess;

  before(async () => {
    dir = await tempDir();
    up = await startUpstream();
    const pre = await writeBundle(dir, 'faults-pre', { file_list: ['middleware.py'], custom_middleware: { driver: 'python', pre: [{ name: 'Faulty' }] } }, { 'middleware.py': FAULTS });
    const auth = await writeBundle(dir, 'faults-auth', { file_list: ['middleware.py'], custom_middleware: { driver: 'python', auth_check: { name: 'FaultyAuth' } } }, { 'middleware.py': FAULTS });
    const broken = await writeBundle(dir, 'broken', { file_list: ['middleware.py'], custom_middleware: { driver: 'python', pre: [{ name: 'Faulty' }] } }, {
      'middleware.py': 'from gateway import TykGateway as tyk\n\ndef Faulty(request, session, spec)\n    return request, session\n',
    });
    gw = await pythonGateway({
      'pre.json': pythonApi('faults-pre', '/pre/', up.origin, pre, { use_keyless: true, enable_coprocess_auth: false, hookgate: { bundle_path: pre, dispatch_timeout_ms: DEADLINE_MS } }),
      'auth.json': pythonApi('faults-auth', '/auth/', up.origin, auth, { hookgate: { bundle_path: auth, dispatch_timeout_ms: DEADLINE_MS } }),
      'broken.json': pythonApi('broken', '/broken/', up.origin, broken, { use_keyless: true, enable_coprocess_auth: false }),
    });
  });

  after(async () => {
    await gw?.stop();
    // A gateway killed with SIGKILL cannot remove its run folder (bridge sockets); do it here.
    const listen = gw?.logs.find((l) => l.msg === 'sidecar launched')?.['args'] as string[] | undefined;
    const socket = listen?.[(listen.indexOf('--listen') ?? -2) + 1]?.replace(/^unix:\/\//, '');
    if (socket !== undefined) await rm(dirname(socket), { recursive: true, force: true });
    await up?.close();
    await dir?.remove();
  });

  it('a plugin exception: 500 Middleware error (403 Key not authorised for auth), the traceback in the log', async (t) => {
    if (!requireProgram(t, 'python3', 'apt-get install python3')) return;
    const res = await request(gw.url('/pre/x'), { headers: { 'X-Fault': 'raise' } });
    assert.equal(res.status, 500);
    assert.equal(res.text(), tykError('Middleware error'));
    const line = await gw.waitForLog((l) => l['failure'] === 'hook_error' && l['hook'] === 'Faulty');
    assert.equal(line.level, 50);
    assert.equal(line.msg, "Hook 'Faulty' returned an error: ValueError: plugin exploded");
    assert.match(String(line['traceback']), /Traceback \(most recent call last\):\n {2}File ".*faults-pre\/middleware\.py", line \d+, in Faulty\n[\s\S]*raise ValueError\("plugin exploded"\)\nValueError: plugin exploded/);
    await healthy(gw, up);

    const auth = await request(gw.url('/auth/x'), { headers: { 'X-Fault': 'raise', Authorization: 'ok' } });
    assert.equal(auth.status, 403);
    assert.equal(auth.text(), tykError('Key not authorised'));
    assert.equal((await request(gw.url('/auth/x'), { headers: { Authorization: 'ok' } })).status, 200);
  });

  it('an infinite loop: the call fails at its deadline, its worker is replaced, the other worker serves meanwhile', async (t) => {
    if (!requireProgram(t, 'python3', 'apt-get install python3')) return;
    const started = Date.now();
    const looping = request(gw.url('/pre/x'), { headers: { 'X-Fault': 'loop' } });
    // While one worker spins, the other keeps answering.
    for (let i = 0; i < 5; i++) await healthy(gw, up);
    const res = await looping;
    const tookMs = Date.now() - started;
    assert.equal(res.status, 500);
    assert.ok(tookMs >= DEADLINE_MS - 50 && tookMs < DEADLINE_MS + 2000, `failed after ${tookMs} ms`);
    const killed = await gw.waitForLog((l) => typeof l.msg === 'string' && l.msg.includes('after its deadline; killed, and replaced'));
    const replaced = await gw.waitForLog((l) => l.msg === 'replacement Python worker ready' && l['plugin'] === 'faults-pre');
    await until(() => !running(killed['worker_pid'] as number), 5000, 'the looping worker to be gone');
    for (let i = 0; i < 4; i++) assert.notEqual(await healthy(gw, up), String(killed['worker_pid']));
    t.diagnostic(`loop: failed after ${tookMs} ms; worker replaced in ${String(replaced['restart_ms'])} ms`);
  });

  it('os._exit(1) inside a hook: only that call fails, a new worker takes its place', async (t) => {
    if (!requireProgram(t, 'python3', 'apt-get install python3')) return;
    const before = gw.logs.filter((l) => l.msg === 'replacement Python worker ready').length;
    const res = await request(gw.url('/pre/x'), { headers: { 'X-Fault': 'exit' } });
    assert.equal(res.status, 500);
    const failed = await gw.waitForLog((l) => l['failure'] === 'crashed' && l['hook'] === 'Faulty');
    assert.match(failed.msg, /the Python worker exited \(exit code 1\) while running the call/);
    await until(() => gw.logs.filter((l) => l.msg === 'replacement Python worker ready').length > before, 15_000, 'a replacement worker');
    for (let i = 0; i < 4; i++) await healthy(gw, up);
  });

  it('a bundle with a syntax error: reported at load with file, line and error; its API fails closed; the others serve', async (t) => {
    if (!requireProgram(t, 'python3', 'apt-get install python3')) return;
    const line = await gw.waitForLog((l) => l['plugin'] === 'broken' && typeof l.msg === 'string' && l.msg.startsWith('the bundle failed to load'));
    assert.match(String(line['file']), /broken\/middleware\.py$/);
    assert.equal(line['line'], 3);
    assert.match(String(line['error']), /^SyntaxError: /);
    assert.match(line.msg, /broken\/middleware\.py line 3: SyntaxError: /);
    const res = await request(gw.url('/broken/x'));
    assert.equal(res.status, 500);
    assert.equal(res.text(), tykError('Middleware error'));
    const hello = (await request(gw.url('/hello'))).json() as { status: string; details: Record<string, { status: string; output?: string }> };
    assert.equal(hello.status, 'warn');
    assert.match(hello.details['sidecar:python:broken']?.output ?? '', /exited with code 3/);
    await healthy(gw, up);
    assert.equal((await request(gw.url('/auth/x'), { headers: { Authorization: 'ok' } })).status, 200);
  });

  it('no orphan Python process: kill -9 of a bridge takes its workers along and the bridge comes back; kill -9 of the gateway takes everything', async (t) => {
    if (!requireProgram(t, 'python3', 'apt-get install python3')) return;
    const [first] = bridgeStarts(gw, 'faults-pre');
    assert.ok(first !== undefined);
    const workers = workerChildren(first.bridgePid);
    assert.ok(workers.length >= 2, `workers of ${first.bridgePid}: ${workers.join(', ')}`);
    process.kill(first.bridgePid, 'SIGKILL');
    await until(() => workers.every((pid) => !running(pid)), 5000, 'the workers of the killed bridge to die with it');
    await until(async () => (await request(gw.url('/pre/ok'))).status === 200, 30_000, 'the bridge to be restarted and serve');
    const second = bridgeStarts(gw, 'faults-pre').at(-1);
    assert.ok(second !== undefined && second.bridgePid !== first.bridgePid);

    const everything = [...bridgeStarts(gw).map((s) => s.bridgePid)].filter(running).flatMap((pid) => [pid, ...workerChildren(pid)]);
    assert.ok(everything.length >= 6, `bridges and workers: ${everything.join(', ')}`);
    gw.child.kill('SIGKILL');
    await until(() => everything.every((pid) => !running(pid)), 5000, `bridges and workers (${everything.join(', ')}) to die with the gateway`);
  });
});
