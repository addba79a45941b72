import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { describe, it } from 'node:test';
import type { GatewayConfig } from '../../gateway/config/index.js';
import { MAX_WORKERS, parseWorkers, workersRefusal } from '../../gateway/cli/workers.js';

const withStorage = (storage: GatewayConfig['storage']) => ({ storage }) as GatewayConfig;

describe('--workers', () => {
  it('takes 1 by default, whole numbers up to the maximum, and auto as one per core', () => {
    assert.equal(parseWorkers(undefined), 1);
    assert.equal(parseWorkers('1'), 1);
    assert.equal(parseWorkers('3'), 3);
    assert.equal(parseWorkers(String(MAX_WORKERS)), MAX_WORKERS);
    assert.equal(parseWorkers('auto'), Math.min(availableParallelism(), MAX_WORKERS));
  });

  it('refuses anything else with a usage error naming the value', () => {
    for (const bad of ['0', '-1', '1.5', '2x', ' 2', '', 'AUTO', String(MAX_WORKERS + 1), '1e2']) {
      assert.throws(() => parseWorkers(bad), (err: { code?: string; message?: string }) => err.code === 'HG_ERR_CLI_USAGE' && err.message?.includes(JSON.stringify(bad)) === true, bad);
    }
  });

  it('refuses more than one worker on the in-memory store only', () => {
    assert.equal(workersRefusal(withStorage({ kind: 'memory' }), 1), undefined);
    assert.match(workersRefusal(withStorage({ kind: 'memory' }), 3) ?? '', /--workers 3 needs shared storage.*a limit of 100 would let 300 through/s);
    assert.equal(workersRefusal(withStorage({ kind: 'redis', host: '127.0.0.1', port: 6379, username: '', password: '', database: 0, commandTimeoutMs: 1000 } as GatewayConfig['storage']), 4), undefined);
  });
});
