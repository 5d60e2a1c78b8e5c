import { InProcessQueue } from '../../adapters/queue/memory.ts';
import { MemoryBlobStore } from '../../adapters/store/memory.ts';
import { describeBlobStoreContract } from './blob-store.contract.ts';
import { describeQueueContract } from './queue.contract.ts';

describeBlobStoreContract('MemoryBlobStore', async () => ({ store: new MemoryBlobStore() }));

describeQueueContract('InProcessQueue', async ({ visibilityTimeoutSeconds, maxReceiveCount }) => {
  const dlq = new InProcessQueue('contract-dlq', { visibilityTimeoutSeconds });
  const queue = new InProcessQueue('contract', { visibilityTimeoutSeconds, maxReceiveCount, dlq });
  return { queue, dlq };
});
