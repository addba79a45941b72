import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { it } from 'node:test';
import type { Store } from '../../gateway/storage/index.js';

/** The behaviour every Store back end must have; each back end's test file runs it. */
export function storeContract(open: () => Promise<{ store: Store; stop: () => Promise<void> }>): void {
  const withStore = (fn: (store: Store) => Promise<void>) => async () => {
    const { store, stop } = await open();
    try {
      await fn(store);
    } finally {
      await store.close();
      await stop();
    }
  };

  it('stores, reads, overwrites and deletes values', withStore(async (store) => {
    assert.equal(await store.get('k'), null);
    await store.set('k', 'v1');
    assert.equal(await store.get('k'), 'v1');
    await store.set('k', 'v2');
    assert.equal(await store.get('k'), 'v2');
    assert.equal(await store.delete('k'), true);
    assert.equal(await store.delete('k'), false);
    assert.equal(await store.get('k'), null);
  }));

  it('expires a value after its TTL, and keeps one without a TTL', withStore(async (store) => {
    await store.set('short', 'x', 1);
    await store.set('forever', 'y');
    assert.equal(await store.get('short'), 'x');
    await sleep(1300);
    assert.equal(await store.get('short'), null);
    assert.equal(await store.get('forever'), 'y');
  }));

  it('keeps unicode values intact', withStore(async (store) => {
    const value = JSON.stringify({ name: 'zoë ✓', n: 1 });
    await store.set('json', value);
    assert.equal(await store.get('json'), value);
  }));
}
