import type { Context } from 'aws-lambda';
import { type Clients, createClients } from './aws/clients';
import { InspectorRegion } from './aws/inspector';
import { OrganizationsDirectory } from './aws/organizations';
import { ParameterPolicySource } from './aws/policy-store';
import { SqsFailureQueue } from './aws/queue';
import { loadConfig } from './config';
import { marginsFor } from './deadline';
import { describeError } from './describe-error';
import { RunFailedError } from './errors';
import { parseInvocation } from './event';
import { publishRunMetrics } from './metrics';
import { logger, metrics } from './observability';
import { reconcile } from './reconcile';
import type { RunSummary } from './summary';

// Created once per container and reused by every invocation.
let clients: Clients | undefined;

/** The account id in `arn:aws:lambda:eu-west-1:111122223333:function:name`. */
function accountOf(functionArn: string): string {
  const accountId = functionArn.split(':')[4];
  if (accountId === undefined || !/^\d{12}$/.test(accountId)) {
    throw new Error(`cannot read the account id from the function ARN ${JSON.stringify(functionArn)}`);
  }
  return accountId;
}

/** Serves the schedule, the console and the CLI alike: validates, runs, logs one summary line, returns it. */
export async function handler(event: unknown, context: Context): Promise<RunSummary> {
  logger.addContext(context);
  const startedAt = Date.now();
  try {
    const invocation = parseInvocation(event);
    const config = loadConfig(process.env);
    clients ??= createClients(config.region);
    const aws = clients;
    const result = await reconcile(
      {
        runId: context.awsRequestId,
        dryRun: invocation.dryRun,
        force: invocation.force,
        ownAccountId: accountOf(context.invokedFunctionArn),
        defaultRegion: config.region,
        remainingTimeMs: () => context.getRemainingTimeInMillis(),
        deadlineMargins: marginsFor(aws.timeouts),
        ...(invocation.accountIds ? { accountIds: invocation.accountIds } : {}),
        ...(invocation.regions ? { regions: invocation.regions } : {}),
      },
      {
        policy: new ParameterPolicySource(aws.ssm, config.policyParameterName),
        directory: new OrganizationsDirectory(aws.organizations),
        inspectorFor: (region) => new InspectorRegion(aws.inspector(region)),
        queue: new SqsFailureQueue(aws.sqs, config.failedAccountsQueueUrl),
      },
    );
    logger.info('reconciliation summary', { trigger: invocation.trigger, summary: result.summary });
    if (result.summary.warnings.length > 0) {
      logger.warn('the policy names what the organization does not have', { warnings: result.summary.warnings });
    }
    for (const { message, error } of result.undelivered) {
      logger.error('failure not delivered to the failed-accounts queue', { failure: message, error });
    }
    // A run its deadline stopped has reported and queued what it did not reach; it returns, but does not count as completed.
    const succeeded = result.problems.length === 0 && !result.summary.deadlineReached;
    publishRunMetrics(metrics, { ...result, succeeded, durationMs: Date.now() - startedAt });
    if (result.problems.length > 0) throw new RunFailedError(result.problems.join('; '));
    return result.summary;
  } catch (error) {
    logger.error('reconciliation failed', { error: describeError(error) });
    throw error;
  }
}
