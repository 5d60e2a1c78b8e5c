/**
 * One of the three handlers (lambdas/<name>.ts) as a Lambda function: bundled by the local esbuild
 * (ESM, no Docker), arm64, Node.js 24 (the newest Lambda runtime; the project's engines, .nvmrc and CI use
 * the same major, tests/cdk/node-version.test.ts), its own log group with retention, and its own role whose
 * only built-in permission is writing to that log group (no AWSLambdaBasicExecutionRole).
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { type Architecture, LoggingFormat, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** ESM bundles still meet `require`, `__filename`, `__dirname` in CommonJS dependencies. */
export const ESM_BANNER =
  "import { createRequire as __sweepCreateRequire } from 'node:module';" +
  "import { fileURLToPath as __sweepFileURLToPath } from 'node:url';" +
  "import { dirname as __sweepDirname } from 'node:path';" +
  'const require = __sweepCreateRequire(import.meta.url);' +
  'const __filename = __sweepFileURLToPath(import.meta.url);' +
  'const __dirname = __sweepDirname(__filename);';

/** The functions' runtime and the bundles' esbuild target: one Node.js major. */
export const NODE_MAJOR = 24;
export const NODE_RUNTIME = Runtime.NODEJS_24_X;
export const BUNDLE_TARGET = `node${NODE_MAJOR}`;

/**
 * The esbuild options of the bundles (in esbuild's own terms), shared with the bundle bench
 * (scripts/bench/bundles.ts, scale.ts) so they measure what ships.
 */
export const BUNDLE_OPTIONS = {
  format: 'esm',
  target: BUNDLE_TARGET,
  platform: 'node',
  mainFields: ['module', 'main'],
  minify: true,
  banner: ESM_BANNER,
} as const;

export interface SweepFunctionProps {
  /** lambdas/<handler>.ts */
  handler: 'dispatcher' | 'worker' | 'aggregator';
  description: string;
  memoryMb: number;
  timeoutSeconds: number;
  architecture: Architecture;
  environment: Record<string, string>;
  logRetention: RetentionDays;
  tracing: boolean;
}

export class SweepFunction extends Construct {
  readonly fn: NodejsFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: SweepFunctionProps) {
    super(scope, id);
    this.logGroup = new LogGroup(this, 'Logs', {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `${props.handler} Lambda: only the permissions granted explicitly by the stack`,
    });
    this.role.addToPolicy(
      new PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn],
      }),
    );

    this.fn = new NodejsFunction(this, 'Function', {
      entry: join(REPO_ROOT, 'lambdas', `${props.handler}.ts`),
      handler: 'handler',
      projectRoot: REPO_ROOT,
      depsLockFilePath: join(REPO_ROOT, 'package-lock.json'),
      description: props.description,
      runtime: NODE_RUNTIME,
      architecture: props.architecture,
      memorySize: props.memoryMb,
      timeout: Duration.seconds(props.timeoutSeconds),
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: LoggingFormat.JSON,
      tracing: props.tracing ? Tracing.ACTIVE : Tracing.DISABLED,
      environment: { NODE_OPTIONS: '--enable-source-maps', ...props.environment },
      bundling: {
        forceDockerBundling: false,
        format: OutputFormat.ESM,
        target: BUNDLE_OPTIONS.target,
        platform: BUNDLE_OPTIONS.platform,
        mainFields: [...BUNDLE_OPTIONS.mainFields],
        banner: BUNDLE_OPTIONS.banner,
        minify: BUNDLE_OPTIONS.minify,
        sourceMap: true,
        sourcesContent: false,
        // Bundle our own AWS SDK: S3 conditional writes (If-Match) need a recent client, and the
        // runtime's copy is not ours to pin.
        externalModules: [],
        esbuildArgs: { '--log-level': 'warning' },
      },
    });

    if (props.tracing) {
      Validations.of(this.role).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'X-Ray PutTraceSegments/PutTelemetryRecords do not support resource-level permissions.',
      });
    }
  }
}
