/**
 * A Lambda `Context` from plain, serialisable fields (types in lambda-context.d.mts): what a local runner
 * hands a handler. Plain JavaScript so the process host (host.mjs), which may run with no TypeScript
 * loader (a bundle under plain `node`), builds the same Context as this process does (lambda-event.ts).
 * `getRemainingTimeInMillis` counts down to the deadline the runner set (start + the function timeout).
 */
export function contextFromFields(f) {
  const unsupported = () => {
    throw new Error('callback-style completion is not supported');
  };
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: f.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: f.invokedFunctionArn,
    memoryLimitInMB: f.memoryLimitInMB,
    awsRequestId: f.awsRequestId,
    logGroupName: f.logGroupName,
    logStreamName: f.logStreamName,
    getRemainingTimeInMillis: () => Math.max(0, f.deadlineMs - Date.now()),
    done: unsupported,
    fail: unsupported,
    succeed: unsupported,
  };
}
