import { BullmqQueue } from '../../src/queue/bullmq-queue.js';
import { EmbeddedQueue } from '../../src/queue/embedded-queue.js';
import { jobQueueContract } from './job-queue.contract.js';
import { deleteKeys, TEST_REDIS_URL, testPrefix } from './redis-env.js';

jobQueueContract('EmbeddedQueue (embedded)', async () => {
  const queue = new EmbeddedQueue();
  return { queue, dispose: () => queue.close({ abort: true }) };
});

jobQueueContract('BullmqQueue (distributed)', async () => {
  const prefix = testPrefix('queue');
  const queue = new BullmqQueue({ url: TEST_REDIS_URL, prefix });
  return {
    queue,
    dispose: async () => {
      await queue.close({ abort: true });
      await deleteKeys(TEST_REDIS_URL, prefix);
    },
  };
});
