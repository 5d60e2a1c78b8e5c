/**
 * CDK entry point (cdk.json: `npx tsx cdk/app.ts`). Settings come from context, see cdk/context.ts:
 *   npx cdk deploy -c workerMemoryMb=3008 -c workerMaxConcurrency=100 -c trialQueueShards=4
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { settingsFromContext } from './context.ts';
import { SweepStack } from './sweep-stack.ts';

const app = new App();
const { stackName, ...settings } = settingsFromContext((k) => app.node.tryGetContext(k));
new SweepStack(app, stackName, {
  ...settings,
  description: 'mlp-sweep: serverless hyperparameter sweeps for small MLPs (S3 + SQS + Lambda)',
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
});
// cdk-nag v3 is a policy-validation plugin: findings fail `cdk synth` unless acknowledged in code.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
app.synth();
