/**
 * Calls whose outcome the caller cannot see, through the fault proxy (tests/faults/net/proxy.ts) to
 * LocalStack's S3 with the functions' own clients: a conditional write that landed but whose response was
 * lost (the SDK's retry then meets its own write: 412), and a GetObject whose body breaks off. The write is
 * recognised as done, never applied twice; the read is asked again.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClients, FUNCTION_MAX_ATTEMPTS } from '../../adapters/aws/clients.ts';
import { deleteBucket, ensureBucket } from '../../adapters/localstack/bootstrap.ts';
import {
  LOCALSTACK_CREDENTIALS,
  LOCALSTACK_REGION,
  localstackClients,
} from '../../adapters/localstack/clients.ts';
import { S3BlobStore } from '../../adapters/store/s3.ts';
import { createJson, getJson, updateJson } from '../../core/app/json.ts';
import { ensureLocalstack } from '../setup/localstack-env.ts';
import { type FaultKind, FaultProxy, operationOf } from './net/proxy.ts';

let endpoint: string;
let proxy: FaultProxy;
let store: S3BlobStore;
const bucket = `unknown-outcomes-${randomBytes(4).toString('hex')}`;

beforeAll(async () => {
  endpoint = await ensureLocalstack();
  await ensureBucket(localstackClients(endpoint), bucket);
  proxy = await FaultProxy.start({ upstream: endpoint, seed: 1 });
  const { s3 } = createClients({
    endpoint: proxy.url,
    region: LOCALSTACK_REGION,
    credentials: LOCALSTACK_CREDENTIALS,
    maxAttempts: FUNCTION_MAX_ATTEMPTS,
  });
  store = new S3BlobStore(s3, bucket);
}, 15 * 60_000);

afterAll(async () => {
  await proxy?.close();
  await deleteBucket(localstackClients(endpoint), bucket).catch(() => undefined);
});

/** The next request of operation `name` gets `kind`, once. */
const once = (name: string, kind: FaultKind) =>
  proxy.script([{ kind, rate: 1, times: 1, ops: (op) => op.name === name }]);

describe('the fault proxy tells the operations apart', () => {
  it('S3 by method, path and conditional headers; SQS by its JSON target', () => {
    const op = (method: string, url: string, headers: Record<string, string> = {}) =>
      operationOf({ method, url, headers }).name;
    expect(op('PUT', '/b/sweeps/s/state.json', { 'if-match': '"e"' })).toBe('PutObject:IfMatch');
    expect(op('PUT', '/b/sweeps/s/trials/t/result.json', { 'if-none-match': '*' })).toBe(
      'PutObject:IfNoneMatch',
    );
    expect(op('PUT', '/b/sweeps/s/report.html')).toBe('PutObject');
    expect(op('GET', '/b/sweeps/s/state.json')).toBe('GetObject');
    expect(op('GET', '/b?list-type=2&prefix=sweeps%2F')).toBe('ListObjectsV2');
    expect(op('POST', '/', { 'x-amz-target': 'AmazonSQS.SendMessageBatch' })).toBe('SendMessageBatch');
    expect(op('POST', '/', { 'x-amz-target': 'AmazonSQS.DeleteMessage' })).toBe('DeleteMessage');
    expect(operationOf({ method: 'GET', url: '/_localstack/health', headers: {} }).service).toBe('other');
  });
});

describe('a write that landed but whose response was lost', () => {
  it('createJson (If-None-Match) says it created the object', async () => {
    once('PutObject:IfNoneMatch', 'lost-response');
    expect(await createJson(store, 'k/created.json', { n: 1 })).toBe(true);
    expect(proxy.report().faults).toEqual({ 'PutObject:IfNoneMatch lost-response': 1 });
    expect(await getJson(store, 'k/created.json')).toEqual({ n: 1 });
    // A real duplicate is still told apart.
    expect(await createJson(store, 'k/created.json', { n: 2 })).toBe(false);
  });

  it('a compare-and-swap (If-Match) is recognised as done and not applied again', async () => {
    await createJson(store, 'k/counter.json', { n: 0 });
    once('PutObject:IfMatch', 'lost-response');
    let calls = 0;
    const out = await updateJson<{ n: number }>(store, 'k/counter.json', (cur) => {
      calls++;
      return { n: (cur?.n ?? 0) + 1 };
    });
    expect(proxy.report().faults).toEqual({ 'PutObject:IfMatch lost-response': 1 });
    expect(out).toEqual({ n: 1 });
    expect(calls).toBe(1);
    expect(await getJson(store, 'k/counter.json')).toEqual({ n: 1 });
  });

  it('the first write of a compare-and-swap (If-None-Match) too', async () => {
    once('PutObject:IfNoneMatch', 'lost-response');
    let calls = 0;
    const out = await updateJson<{ n: number }>(store, 'k/fresh.json', (cur) => {
      calls++;
      return { n: (cur?.n ?? 0) + 1 };
    });
    expect(out).toEqual({ n: 1 });
    expect(calls).toBe(1);
    expect(await getJson(store, 'k/fresh.json')).toEqual({ n: 1 });
  });
});

describe('a response that breaks off', () => {
  it('a GetObject whose body is cut halfway is read again, whole', async () => {
    const body = randomBytes(200_000);
    await store.put('k/big.bin', body);
    once('GetObject', 'reset-response');
    const got = await store.get('k/big.bin');
    expect(proxy.report().faults).toEqual({ 'GetObject reset-response': 1 });
    expect(Buffer.compare(Buffer.from(got!.body), body)).toBe(0);
  });
});
