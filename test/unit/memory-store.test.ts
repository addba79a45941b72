import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { MemoryStore } from '../../gateway/storage/index.js';
import { storeContract } from '../helpers/store-contract.js';

describe('MemoryStore', () => {
  storeContract(async () => ({ store: new MemoryStore(), stop: async () => undefined }));

  it('reports pass under "memory" in health', async () => {
    const store = new MemoryStore();
    assert.equal((await store.health()).status, 'pass');
    await store.close();
  });

  it('sliding window: counts stay exact once more than a thousand expired hits are dropped from the log', async () => {
    const store = new MemoryStore();
    const windowMs = 1000;
    for (let i = 0; i < 1500; i++) await store.hitSlidingWindow('busy', 5000, windowMs);
    await sleep(windowMs + 100);
    // Every earlier hit has expired: the log drops them all at once here.
    const first = await store.hitSlidingWindow('busy', 5000, windowMs);
    assert.deepEqual([first.allowed, first.count], [true, 1]);
    let last = first;
    for (let i = 0; i < 10; i++) last = await store.hitSlidingWindow('busy', 5000, windowMs);
    assert.equal(last.count, 11);
    assert.ok(last.resetMs > 0 && last.resetMs <= windowMs, `resetMs ${last.resetMs}`);
    // The limit still applies on the compacted log.
    const capped = await Promise.all(Array.from({ length: 10 }, () => store.hitSlidingWindow('busy', 15, windowMs)));
    assert.equal(capped.filter((r) => r.allowed).length, 4);
    await store.close();
  });
});
