import {
  BatchGetAccountStatusCommand,
  BatchGetMemberEc2DeepInspectionStatusCommand,
  BatchUpdateMemberEc2DeepInspectionStatusCommand,
  GetConfigurationCommand,
  GetDelegatedAdminAccountCommand,
  GetEc2DeepInspectionConfigurationCommand,
  Inspector2Client,
} from '@aws-sdk/client-inspector2';
import { ListAccountsCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { handler } from '../../lambda/reconciler/handler';
import { logger } from '../../lambda/reconciler/observability/powertools';
import type { RunSummary } from '../../lambda/reconciler/run/summary';
import { acceptAll } from '../support/sqs';

/** CloudWatch Logs' event limit as this project holds it: the summary line stays well under it. */
const MAX_LINE_BYTES = 256 * 1024;
const ADMIN = '999999999999';
const FAILING = 'us-east-1';
const DENIED = 'eu-west-1';
const CHANGING = 'ap-south-1';
/** What IAM answers a role that may not call Inspector in a region, at its real length. */
const DENIED_MESSAGE = `User: arn:aws:sts::${ADMIN}:assumed-role/DeepInspectionReconciler-ReconcilerRole0123456789AB-CDEFGHIJKLMN/DeepInspectionReconciler-ReconcilerFunction0123-ABCDEFGHIJKL is not authorized to perform: inspector2:BatchGetAccountStatus on resource: arn:aws:inspector2:${DENIED}:${ADMIN}:/status/batch/get with an explicit deny in a service control policy`;

const organizations = mockClient(OrganizationsClient);
const inspector = mockClient(Inspector2Client);
const ssm = mockClient(SSMClient);
const sqs = mockClient(SQSClient);

const context = {
  awsRequestId: 'req-huge',
  invokedFunctionArn: `arn:aws:lambda:us-east-1:${ADMIN}:function:reconciler`,
  functionName: 'reconciler',
  getRemainingTimeInMillis: () => 900_000,
} as unknown as Context;

/** A policy that names accounts the organization does not have, so the summary carries warnings too. */
const policy = {
  version: 2,
  default: 'ACTIVATED',
  regions: [FAILING, DENIED, CHANGING],
  rules: Array.from({ length: 20 }, (_, i) => ({
    name: `pinned accounts, group ${i}, kept on whatever happens to the default`,
    accounts: Array.from({ length: 10 }, (_, j) => String(200_000_000_000 + i * 10 + j)),
    deepInspection: 'ACTIVATED',
  })),
};

beforeAll(() => {
  process.env.POLICY_PARAMETER_NAME = '/p';
  process.env.GUARDRAIL_LEDGER_PARAMETER_NAME = '/p-guardrail-ledger';
  process.env.FAILED_ACCOUNTS_QUEUE_URL = `https://sqs.us-east-1.amazonaws.com/${ADMIN}/failed-accounts`;
  process.env.AWS_REGION = 'us-east-1';
  // The mocks answer at once: no pacing needed to stay under a real service's rate.
  process.env.ORGANIZATIONS_REQUESTS_PER_SECOND = '1000000';
  process.env.INSPECTOR_REQUESTS_PER_SECOND = '1000000';
});

/** An organization of `count` members, failing in one region, denied in another, changed in the third. */
function givenOrganization(count: number) {
  for (const mock of [organizations, inspector, ssm, sqs]) mock.reset();
  const members = Array.from({ length: count }, (_, i) => String(100_000_000_000 + i));
  ssm.on(GetParameterCommand, { Name: '/p' }).resolves({
    Parameter: { Name: '/p', Type: 'String', Value: JSON.stringify(policy), Version: 3 },
  });
  ssm.on(GetParameterCommand, { Name: '/p-guardrail-ledger' }).resolves({
    Parameter: { Name: '/p-guardrail-ledger', Type: 'String', Value: '{"version":1,"entries":[]}', Version: 1 },
  });
  // One page holds them all: the adapter reads whatever pages it gets.
  organizations
    .on(ListAccountsCommand)
    .resolves({ Accounts: [ADMIN, ...members].map((Id) => ({ Id, State: 'ACTIVE' })) });
  inspector.on(BatchGetAccountStatusCommand).callsFake(async ({ accountIds }, getClient) => {
    if ((await getClient().config.region()) === DENIED) {
      throw Object.assign(new Error(DENIED_MESSAGE), { name: 'AccessDeniedException', $fault: 'client' });
    }
    return {
      accounts: accountIds.map((accountId: string) => ({
        accountId,
        state: { status: 'ENABLED' },
        resourceState: { ec2: { status: 'ENABLED' }, ecr: { status: 'ENABLED' } },
      })),
    };
  });
  inspector.on(BatchGetMemberEc2DeepInspectionStatusCommand).callsFake(({ accountIds }) => ({
    accountIds: accountIds.map((accountId: string) => ({ accountId, status: 'DEACTIVATED' })),
  }));
  inspector
    .on(GetDelegatedAdminAccountCommand)
    .resolves({ delegatedAdmin: { accountId: ADMIN, relationshipStatus: 'ENABLED' } });
  inspector.on(GetEc2DeepInspectionConfigurationCommand).resolves({ status: 'ACTIVATED', orgPackagePaths: [] });
  inspector.on(GetConfigurationCommand).resolves({ ec2Configuration: { scanModeState: { scanMode: 'EC2_HYBRID' } } });
  inspector.on(BatchUpdateMemberEc2DeepInspectionStatusCommand).callsFake(async ({ accountIds }, getClient) =>
    (await getClient().config.region()) === FAILING
      ? {
          failedAccountIds: accountIds.map((a: { accountId: string }) => ({
            accountId: a.accountId,
            ec2ScanStatus: 'ENABLED',
            errorMessage: 'The account is not eligible for deep inspection in this Region at this time.',
          })),
        }
      : { accountIds: accountIds.map((a: { accountId: string }) => ({ accountId: a.accountId, status: 'ACTIVATED' })) },
  );
  sqs.on(SendMessageBatchCommand).callsFake(acceptAll);
}

describe('the summary line of a run over a huge organization', () => {
  it.each([1_200, 20_000])(
    'stays under 256 KB with %d accounts failing in one region, denied in another and changed in a third; the lists say how many were cut, the queue keeps every failure',
    async (ACCOUNTS) => {
      givenOrganization(ACCOUNTS);
      const lines: string[] = [];
      const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
        lines.push(String(chunk));
        return true;
      });
      jest.spyOn(logger, 'error').mockImplementation(() => undefined);
      jest.spyOn(logger, 'warn').mockImplementation(() => undefined);
      // The logger prints nothing in tests (test/setup-env.ts); this one line is what is measured.
      logger.setLogLevel('INFO');
      try {
        await handler({}, context);
      } catch {
        // A run with a denied region fails after it has reported: the line is what is measured here.
      } finally {
        write.mockRestore();
        logger.setLogLevel('SILENT');
      }

      const summaryLines = lines.filter((line) => line.includes('"reconciliation summary"'));
      expect(summaryLines).toHaveLength(1);
      const line = summaryLines[0] as string;
      const bytes = Buffer.byteLength(line, 'utf8');
      expect(bytes).toBeLessThan(MAX_LINE_BYTES);

      const { summary } = JSON.parse(line) as { summary: RunSummary };
      // Nothing dropped silently: each list plus what was cut from it is the whole.
      const failed = summary.totals.failed;
      // Every member in the failing region; every account, the administrator too, in the denied one.
      expect(failed).toBe(2 * ACCOUNTS + 1);
      expect(summary.failures.length + summary.omitted.failures).toBe(failed);
      expect(summary.changes.length + summary.omitted.changes).toBe(summary.totals.activated);
      expect(summary.omitted.failures).toBeGreaterThan(0);
      expect(summary.failures.length).toBeGreaterThan(0);
      expect(summary.changes.length).toBeGreaterThan(0);
      // The queue keeps every failure the run could deliver, whatever the line left out.
      const queued = sqs.commandCalls(SendMessageBatchCommand).flatMap((call) => call.args[0].input.Entries ?? []);
      expect(queued.length).toBe(summary.queue.sent);
      expect(summary.queue.sent).toBeGreaterThanOrEqual(ACCOUNTS);
    },
    120_000,
  );
});
