import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemoryStore } from '../../gateway/storage/index.js';
import { storeContract } from '../helpers/store-contract.js';

describe('MemoryStore', () => {
  storeContract(async () => ({ store: new MemoryStore(), stop: async () => undefined }));

  it('reports pass under "memory" in health', async () => {
    const store = new MemoryStore();
    assert.equal((await store.health()).status, 'pass');
    await store.close();
  });
});
