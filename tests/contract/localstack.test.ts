/** The same contracts against S3 and SQS in LocalStack (started by tests/setup if not running). */
import { randomBytes } from 'node:crypto';
import { beforeAll } from 'vitest';
import {
  deleteBucket,
  deleteQueues,
  ensureBucket,
  ensureQueueWithDlq,
} from '../../adapters/localstack/bootstrap.ts';
import { type LocalstackClients, localstackClients } from '../../adapters/localstack/clients.ts';
import { ShardedQueue } from '../../adapters/queue/sharded.ts';
import { SqsQueue } from '../../adapters/queue/sqs.ts';
import { S3BlobStore } from '../../adapters/store/s3.ts';
import { ensureLocalstack } from '../setup/localstack-env.ts';
import { describeBlobStoreContract } from './blob-store.contract.ts';
import { describeQueueContract } from './queue.contract.ts';

let clients: LocalstackClients;
beforeAll(async () => {
  clients = localstackClients(await ensureLocalstack());
}, 15 * 60_000);

const unique = (p: string) => `${p}-${randomBytes(5).toString('hex')}`;

describeBlobStoreContract('S3BlobStore (LocalStack)', async () => {
  const bucket = unique('contract');
  await ensureBucket(clients, bucket);
  return { store: new S3BlobStore(clients.s3, bucket), cleanup: () => deleteBucket(clients, bucket) };
});

describeQueueContract('SqsQueue (LocalStack)', async ({ visibilityTimeoutSeconds, maxReceiveCount }) => {
  const name = unique('contract');
  const { url, dlqUrl } = await ensureQueueWithDlq(clients, name, {
    visibilityTimeoutSeconds,
    maxReceiveCount,
  });
  return {
    queue: new SqsQueue(clients.sqs, url, name),
    dlq: new SqsQueue(clients.sqs, dlqUrl, `${name}-dlq`),
    cleanup: () => deleteQueues(clients, [url, dlqUrl]),
  };
});

describeQueueContract(
  'ShardedQueue of 3 SqsQueues (LocalStack)',
  async ({ visibilityTimeoutSeconds, maxReceiveCount }) => {
    const name = unique('contract-sharded');
    const dlqName = `${name}-dlq`;
    const shards = await Promise.all(
      [name, `${name}-1`, `${name}-2`].map(async (n) => ({
        name: n,
        ...(await ensureQueueWithDlq(clients, n, { visibilityTimeoutSeconds, maxReceiveCount, dlqName })),
      })),
    );
    const dlqUrl = shards[0]!.dlqUrl;
    return {
      queue: new ShardedQueue(shards.map((s) => new SqsQueue(clients.sqs, s.url, s.name))),
      dlq: new SqsQueue(clients.sqs, dlqUrl, dlqName),
      cleanup: () => deleteQueues(clients, [...shards.map((s) => s.url), dlqUrl]),
    };
  },
);
