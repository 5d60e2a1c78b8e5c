/**
 * The deployed stack as the CLI finds it (`--backend aws`): the region, then the stack's CloudFormation
 * outputs (`STACK_OUTPUTS` of core/service-spec.ts: the bucket and the queue URLs).
 */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { parseQueueUrls, STACK_OUTPUTS } from '../../core/service-spec.ts';

/** A stack that cannot be read, or lacks what the CLI needs (a runtime failure, with a hint). */
export class StackUnavailableError extends Error {
  override readonly name = 'StackUnavailableError';
}

export const REGION_HINT =
  'pass --region <region> (e.g. --region eu-west-1), or set AWS_REGION, or give your AWS profile a region ' +
  '(aws configure set region <region>)';

/** The region to use: `explicit`, else the SDK's own resolution (AWS_REGION, the profile); says how to set one. */
export async function resolveRegion(explicit?: string): Promise<string> {
  if (explicit) return explicit;
  try {
    return await new CloudFormationClient({}).config.region();
  } catch {
    throw new StackUnavailableError(`no AWS region is set for --backend aws: ${REGION_HINT}`);
  }
}

export interface StackResources {
  bucket: string;
  submissionsQueueUrl: string;
  /** Every trials queue shard, shard 0 first. */
  trialsQueueUrls: string[];
  resultsQueueUrl: string;
  trialsDlqUrl?: string;
}

/** The resources named by a stack's outputs; names every output that is missing. */
export function stackResources(stackName: string, outputs: Record<string, string>): StackResources {
  const need = [
    STACK_OUTPUTS.bucket,
    STACK_OUTPUTS.submissionsQueueUrl,
    STACK_OUTPUTS.trialsQueueUrls,
    STACK_OUTPUTS.resultsQueueUrl,
  ];
  const missing = need.filter((k) => !outputs[k]);
  if (missing.length > 0) {
    throw new StackUnavailableError(
      `stack ${stackName} lacks the output(s) ${missing.join(', ')} (deploy this version of it: npx cdk deploy)`,
    );
  }
  const dlq = outputs[STACK_OUTPUTS.trialsDlqUrl];
  return {
    bucket: outputs[STACK_OUTPUTS.bucket]!,
    submissionsQueueUrl: outputs[STACK_OUTPUTS.submissionsQueueUrl]!,
    trialsQueueUrls: parseQueueUrls(outputs[STACK_OUTPUTS.trialsQueueUrls]),
    resultsQueueUrl: outputs[STACK_OUTPUTS.resultsQueueUrl]!,
    ...(dlq ? { trialsDlqUrl: dlq } : {}),
  };
}

/** DescribeStacks → the stack's resources (`endpoint`: AWS_ENDPOINT_URL, a stack in an emulator). */
export async function readStack(
  stackName: string,
  region: string,
  endpoint?: string,
): Promise<StackResources> {
  let outputs: Record<string, string>;
  try {
    const out = await new CloudFormationClient({ region, ...(endpoint ? { endpoint } : {}) }).send(
      new DescribeStacksCommand({ StackName: stackName }),
    );
    const stack = out.Stacks?.[0];
    if (!stack) throw new Error('no such stack');
    outputs = Object.fromEntries(
      (stack.Outputs ?? []).flatMap((o) =>
        o.OutputKey && o.OutputValue ? [[o.OutputKey, o.OutputValue]] : [],
      ),
    );
  } catch (e) {
    throw new StackUnavailableError(
      `cannot read the CloudFormation stack ${stackName} in ${region}: ${(e as Error).message} (deploy it with: npx cdk deploy; see docs/aws.md)`,
    );
  }
  return stackResources(stackName, outputs);
}
