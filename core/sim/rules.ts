/**
 * The documented AWS rules the scale model is built on, as data (so a test and `sweep simulate --json`
 * can show exactly what was assumed). Every number cites where it is stated; checked 2025, re-checked
 * for the per-ESM maximum when the trial queue was sharded.
 *
 * SQS event-source scaling, standard mode — AWS Lambda Developer Guide, "Configuring scaling behavior for
 * SQS event source mappings" (https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-scaling.html),
 * current wording:
 *   "When messages are available, Lambda starts processing five batches at a time with five concurrent
 *   invocations of your function. If messages are still available, Lambda increases the number of
 *   processes that are reading batches by up to 300 more instances per minute. The maximum number of
 *   batches that an event source mapping can process simultaneously is 1,000."
 *   (An earlier wording of the same page, and the re:Post article
 *   https://repost.aws/knowledge-center/lambda-sqs-scaling, said "300 more concurrent invokes per minute
 *   … The maximum number of invokes that an event source mapping can process simultaneously is 1,250";
 *   we follow the current page: 1,000. Before the change announced in "Introducing faster polling
 *   scale-up for AWS Lambda functions configured with Amazon SQS" (AWS Compute Blog, Nov 2023) the rule
 *   was 60 per minute.) Per ESM, the `MaximumConcurrency` setting (ScalingConfig, API reference) is
 *   2…1000.
 *
 * Scaling is per event source mapping — ASSUMPTION (our reading; the docs do not say in so many words
 *   that two mappings on one function ramp independently). The page states the limits per mapping ("The
 *   maximum number of batches that an event source mapping can process simultaneously …") and makes
 *   the cap a per-mapping setting: "Maximum concurrency is an event source-level setting. If you have
 *   multiple Amazon SQS event sources mapped to one function, each event source can have a separate
 *   maximum concurrency setting." Each mapping has its own pollers on its own queue, so we model N
 *   trial queue shards (one mapping each) as N independent ramps of 5 + 300/min, all within the
 *   function scaling rate and the account concurrency below. `sweep simulate --shards 1` gives the
 *   single-mapping figures if the assumption does not hold.
 *
 * SQS event-source scaling, provisioned mode — same Developer Guide page ("3 times faster scaling and up
 * to 16 times higher processing capacity") and the AWS News Blog "AWS Lambda enhances event processing
 * with provisioned mode for SQS event-source mapping": event pollers "can auto scale up to 1000
 * … concurrent executions per minute" and provide "up to 20,000 concurrency". MinimumPollers 2…200
 * (ProvisionedPollerConfig, API reference). Provisioned mode and MaximumConcurrency are mutually
 * exclusive. Concurrent invokes per poller (10) is NOT from AWS's reference pages (it is stated by
 * third-party write-ups of the launch); it is a parameter here.
 *
 * Function scaling — "Lambda scaling behavior" (https://docs.aws.amazon.com/lambda/latest/dg/scaling-behavior.html):
 *   "for each function, your concurrency scaling rate is 1,000 execution environment instances every 10
 *   seconds". Simulated as a ceiling on all mappings together (1,000 more environments every 10 s from
 *   the first message); behind ≤ 10 standard mappings (≤ 3,000 per minute) it does not bind.
 * Account concurrency — "Understanding Lambda function scaling": a default total of 1,000 concurrent
 *   executions per Region (a quota that can be raised).
 * Invocation limit — Lambda's maximum timeout is 900 s (15 min); our worker checkpoints and continues.
 * INIT billing — AWS Compute Blog "AWS Lambda standardizes billing for INIT Phase": effective 1 Aug 2025
 *   the INIT phase of on-demand ZIP functions on managed runtimes is billed like INVOKE, so a cold start's
 *   module init + data load is billed here.
 */
export const LAMBDA_RULES = {
  standard: {
    /** Concurrent invokes when messages first become available. */
    initialConcurrency: 5,
    /** Concurrent invokes added per minute while messages remain. */
    addPerMinute: 300,
    /** Most batches (= invokes, batch size 1) one event source mapping processes simultaneously. */
    maxConcurrency: 1000,
    /** The ramp above applies to each event source mapping on its own: an assumption, see above. */
    perEventSourceMapping: true,
  },
  provisioned: {
    addPerMinute: 1000,
    maxConcurrency: 20_000,
    /** Assumption (third-party figure, see above). */
    invokesPerPoller: 10,
    minPollers: { min: 2, max: 200 },
  },
  /** ESM ScalingConfig.MaximumConcurrency range. */
  esmMaximumConcurrency: { min: 2, max: 1000 },
  /** Default account concurrency per Region. */
  accountConcurrency: 1000,
  /** Function concurrency scaling rate: environments per 10 s (not a bottleneck behind SQS). */
  functionScalingPer10s: 1000,
  /** Lambda's maximum timeout, seconds. */
  invocationLimitS: 900,
} as const;

export const RULES_SOURCES = [
  'https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-scaling.html',
  'https://docs.aws.amazon.com/lambda/latest/dg/scaling-behavior.html',
  'https://docs.aws.amazon.com/lambda/latest/api/API_ScalingConfig.html',
  'https://docs.aws.amazon.com/lambda/latest/api/API_ProvisionedPollerConfig.html',
  'https://aws.amazon.com/blogs/compute/introducing-faster-polling-scale-up-for-aws-lambda-functions-configured-with-amazon-sqs/',
] as const;
