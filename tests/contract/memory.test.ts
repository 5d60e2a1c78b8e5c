import { InProcessQueue } from '../../adapters/queue/memory.ts';
import { ShardedQueue } from '../../adapters/queue/sharded.ts';
import { MemoryBlobStore } from '../../adapters/store/memory.ts';
import { describeBlobStoreContract } from './blob-store.contract.ts';
import { describeQueueContract } from './queue.contract.ts';

describeBlobStoreContract('MemoryBlobStore', async () => ({ store: new MemoryBlobStore() }));

describeQueueContract('InProcessQueue', async ({ visibilityTimeoutSeconds, maxReceiveCount }) => {
  const dlq = new InProcessQueue('contract-dlq', { visibilityTimeoutSeconds });
  const queue = new InProcessQueue('contract', { visibilityTimeoutSeconds, maxReceiveCount, dlq });
  return { queue, dlq };
});

// The sharded trials queue: 4 shards redriving to one shared DLQ, as in the stack. (One shard is a
// pass-through to the plain queue: tests/contract/sharded.test.ts.)
describeQueueContract(
  'ShardedQueue of 4 InProcessQueues',
  async ({ visibilityTimeoutSeconds, maxReceiveCount }) => {
    const dlq = new InProcessQueue('contract-dlq', { visibilityTimeoutSeconds });
    const queue = new ShardedQueue(
      Array.from(
        { length: 4 },
        (_, i) => new InProcessQueue(`contract-${i}`, { visibilityTimeoutSeconds, maxReceiveCount, dlq }),
      ),
    );
    return { queue, dlq };
  },
);
