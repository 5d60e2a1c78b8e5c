/**
 * A network that fails as a cloud does, between our code and LocalStack: an HTTP proxy that knows which S3 or
 * SQS operation each request is (PutObject with If-None-Match or If-Match, SendMessageBatch, DeleteMessage…)
 * and, by a seeded and scripted plan, answers some of them with a fault instead of (or after) forwarding:
 *
 *   throttle        S3 `503 SlowDown`, SQS `400 RequestThrottled` (the SDK's throttling codes), not forwarded
 *   internal        `500 InternalError` (S3) / `500 InternalFailure` (SQS), not forwarded
 *   reset-request   the connection is reset while the request is being sent: it never reaches LocalStack
 *   reset-response  forwarded and applied; the connection is reset halfway through the response
 *   lost-response   forwarded and applied; the connection is dropped before any byte of the response
 *   latency         forwarded after a delay (2 s spikes: timeouts and visibility expiry)
 *
 * Toxiproxy works on TCP streams: it can delay, cut or reset a connection, but it cannot tell one S3
 * operation from another, answer with an S3 or SQS error body, or let a request through and then lose its
 * response — what "the write applied but the response lost" needs per operation. Hence this proxy.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Xoshiro128ss } from '../../../core/nn/prng.ts';

export type FaultKind =
  | 'throttle'
  | 'internal'
  | 'reset-request'
  | 'reset-response'
  | 'lost-response'
  | 'latency';

export interface Operation {
  service: 's3' | 'sqs' | 'other';
  /** `PutObject`, `PutObject:IfNoneMatch`, `PutObject:IfMatch`, `GetObject`, `SendMessageBatch`, … */
  name: string;
}

export interface FaultRule {
  kind: FaultKind;
  /** Share of the matching requests that get this fault (drawn from the proxy's seeded generator). */
  rate: number;
  /** Which operations it applies to (default: every S3 and SQS operation). */
  ops?: (op: Operation) => boolean;
  /** At most this many times (default: no limit). */
  times?: number;
}

/** The operation of a request: SQS by its JSON-protocol target, S3 (path-style) by method, path and headers. */
export function operationOf(req: Pick<IncomingMessage, 'method' | 'url' | 'headers'>): Operation {
  const target = req.headers['x-amz-target'];
  if (typeof target === 'string' && target.startsWith('AmazonSQS.')) {
    return { service: 'sqs', name: target.slice('AmazonSQS.'.length) };
  }
  const url = new URL(req.url ?? '/', 'http://proxy');
  if (url.pathname.startsWith('/_localstack') || url.pathname === '/')
    return { service: 'other', name: 'other' };
  const [, , ...key] = url.pathname.split('/');
  const hasKey = key.join('/').length > 0;
  const m = req.method ?? 'GET';
  if (m === 'PUT' && hasKey) {
    if (req.headers['if-none-match']) return { service: 's3', name: 'PutObject:IfNoneMatch' };
    if (req.headers['if-match']) return { service: 's3', name: 'PutObject:IfMatch' };
    return { service: 's3', name: url.searchParams.has('tagging') ? 'PutObjectTagging' : 'PutObject' };
  }
  if (m === 'GET' && hasKey) return { service: 's3', name: 'GetObject' };
  if (m === 'GET')
    return { service: 's3', name: url.searchParams.get('list-type') === '2' ? 'ListObjectsV2' : 'GetBucket' };
  if (m === 'HEAD') return { service: 's3', name: hasKey ? 'HeadObject' : 'HeadBucket' };
  if (m === 'DELETE') return { service: 's3', name: hasKey ? 'DeleteObject' : 'DeleteBucket' };
  if (m === 'POST' && url.searchParams.has('delete')) return { service: 's3', name: 'DeleteObjects' };
  return { service: 's3', name: `${m}${hasKey ? 'Object' : 'Bucket'}` };
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

interface Upstream {
  status: number;
  headers: Record<string, string | string[]>;
  body: Buffer;
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length']);

/** An error answer in the service's own format, as AWS sends it. */
function errorAnswer(op: Operation, kind: 'throttle' | 'internal'): Upstream {
  const requestId = randomUUID();
  if (op.service === 'sqs') {
    const type = kind === 'throttle' ? 'RequestThrottled' : 'InternalFailure';
    return {
      status: kind === 'throttle' ? 400 : 500,
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amzn-requestid': requestId,
        'x-amzn-query-error': `${type};${kind === 'throttle' ? 'Sender' : 'Receiver'}`,
      },
      body: Buffer.from(
        JSON.stringify({ __type: `com.amazonaws.sqs#${type}`, message: 'injected by the fault proxy' }),
      ),
    };
  }
  const [code, message] =
    kind === 'throttle'
      ? ['SlowDown', 'Please reduce your request rate.']
      : ['InternalError', 'We encountered an internal error. Please try again.'];
  return {
    status: kind === 'throttle' ? 503 : 500,
    headers: { 'content-type': 'application/xml', 'x-amz-request-id': requestId },
    body: Buffer.from(
      `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><RequestId>${requestId}</RequestId></Error>`,
    ),
  };
}

/** The raw bytes of a response, as they would go on the wire. */
function rawResponse(u: Upstream): Buffer {
  const head = [`HTTP/1.1 ${u.status} X`];
  for (const [k, v] of Object.entries(u.headers)) for (const x of [v].flat()) head.push(`${k}: ${x}`);
  head.push(`content-length: ${u.body.length}`, '', '');
  return Buffer.concat([Buffer.from(head.join('\r\n')), u.body]);
}

export class FaultProxy {
  private rules: { rule: FaultRule; fired: number }[] = [];
  private readonly random: () => number;
  /** `<operation> <fault>` → count, and `<operation>` → requests seen, since the last `script`. */
  readonly counts = new Map<string, number>();

  private constructor(
    private readonly server: Server,
    readonly url: string,
    private readonly upstream: URL,
    seed: number,
  ) {
    const generator = new Xoshiro128ss(seed); // the project's one PRNG (core/nn/prng.ts)
    this.random = () => generator.nextFloat();
  }

  static async start(o: { upstream: string; seed: number }): Promise<FaultProxy> {
    let proxy: FaultProxy | undefined;
    const server = createServer((req, res) => void proxy!.handle(req, res));
    server.keepAliveTimeout = 5_000;
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    proxy = new FaultProxy(server, `http://127.0.0.1:${port}`, new URL(o.upstream), o.seed);
    return proxy;
  }

  /** Faults from now on (rules are tried in order; the first that fires wins). */
  script(rules: readonly FaultRule[]): void {
    this.rules = rules.map((rule) => ({ rule, fired: 0 }));
    this.counts.clear();
  }

  disarm(): void {
    this.rules = [];
  }

  /** The faults injected since the last `script`, as `{ "<op> <fault>": n }`, and the requests seen. */
  report(): { faults: Record<string, number>; requests: number } {
    const faults: Record<string, number> = {};
    let requests = 0;
    for (const [k, n] of [...this.counts].sort()) {
      if (k.includes(' ')) faults[k] = n;
      else requests += n;
    }
    return { faults, requests };
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  private count(key: string): void {
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }

  private choose(op: Operation): FaultKind | undefined {
    if (op.service === 'other') return undefined;
    this.count(op.name);
    for (const r of this.rules) {
      const { rule } = r;
      if ((rule.ops && !rule.ops(op)) || r.fired >= (rule.times ?? Number.POSITIVE_INFINITY)) continue;
      if (this.random() < rule.rate) {
        r.fired++;
        this.count(`${op.name} ${rule.kind}`);
        return rule.kind;
      }
    }
    return undefined;
  }

  private forward(req: IncomingMessage, body: Buffer): Promise<Upstream> {
    return new Promise((resolve, reject) => {
      const out = request(
        {
          host: this.upstream.hostname,
          port: this.upstream.port,
          method: req.method,
          path: req.url,
          headers: req.headers,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const headers: Record<string, string | string[]> = {};
            for (const [k, v] of Object.entries(res.headers)) {
              if (v !== undefined && !HOP_BY_HOP.has(k)) headers[k] = v;
            }
            resolve({ status: res.statusCode ?? 502, headers, body: Buffer.concat(chunks) });
          });
          res.on('error', reject);
        },
      );
      out.on('error', reject);
      out.end(body);
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const op = operationOf(req);
    const fault = this.choose(op);
    if (fault === 'reset-request') {
      // Part of the request may have arrived; none of it is forwarded.
      req.socket.destroy();
      return;
    }
    const body = await readBody(req).catch(() => undefined);
    if (!body) return;
    if (fault === 'throttle' || fault === 'internal') return this.answer(res, errorAnswer(op, fault));
    if (fault === 'latency') await sleep(2_000);
    let upstream: Upstream;
    try {
      upstream = await this.forward(req, body);
    } catch {
      req.socket.destroy();
      return;
    }
    if (fault === 'lost-response') {
      req.socket.destroy();
      return;
    }
    if (fault === 'reset-response') {
      const raw = rawResponse(upstream);
      const socket = req.socket;
      socket.write(raw.subarray(0, Math.max(1, Math.floor(raw.length / 2))), () => socket.destroy());
      return;
    }
    this.answer(res, upstream);
  }

  private answer(res: ServerResponse, u: Upstream): void {
    res.writeHead(u.status, { ...u.headers, 'content-length': String(u.body.length) });
    res.end(u.body);
  }
}
