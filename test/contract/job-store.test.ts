import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FileJobStore } from '../../src/store/file-job-store.js';
import { RedisJobStore } from '../../src/store/redis-job-store.js';
import { jobStoreContract } from './job-store.contract.js';
import { deleteKeys, TEST_REDIS_URL, testPrefix } from './redis-env.js';

function tmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'karaoke-store-'));
}

jobStoreContract('FileJobStore (embedded)', async () => {
  const storageDir = tmp();
  const store = await FileJobStore.open(storageDir);
  return {
    store,
    storageDir,
    dispose: async () => {
      await store.close();
      fs.rmSync(storageDir, { recursive: true, force: true });
    },
  };
});

jobStoreContract('RedisJobStore (distributed)', async () => {
  const storageDir = tmp();
  const prefix = `${testPrefix('store')}:`;
  const store = new RedisJobStore({ url: TEST_REDIS_URL, storageDir, prefix, ttlS: 3600 });
  return {
    store,
    storageDir,
    dispose: async () => {
      await store.close();
      await deleteKeys(TEST_REDIS_URL, prefix);
      fs.rmSync(storageDir, { recursive: true, force: true });
    },
  };
});
