import { createHash, randomUUID } from 'node:crypto';
import type { SimulatedOrganization } from '../simulated-organization';
import { ServiceError, validation } from './errors';

/** Documented limits the real services enforce, enforced here the same way. */
const MAX_INSPECTOR_BATCH = 100;
const MAX_ORGANIZATIONS_PAGE = 20;
const MAX_SQS_BATCH = 10;
const MAX_PACKAGE_PATHS = 5;
const ACCOUNT_ID = /^\d{12}$/;

type Json = Record<string, unknown>;

export interface StoredMessage {
  readonly messageId: string;
  readonly body: string;
}

/** State the simulated services share beyond the organization: SSM parameters and SQS queues. */
export class LocalState {
  readonly parameters = new Map<string, { value: string; version: number }>();
  readonly queues = new Map<string, StoredMessage[]>();
  /** Entries whose account id is here fail once in SendMessageBatch, as a partial failure. */
  readonly failQueueEntriesOnce = new Set<string>();
  /** Accounts whose deep-inspection update Inspector refuses. */
  readonly failingUpdateAccounts = new Set<string>();

  constructor(readonly organization: SimulatedOrganization) {}
}

function requireIds(value: unknown, field: string, { required }: { required: boolean }): string[] {
  if (value === undefined && !required) return [];
  if (!Array.isArray(value)) throw validation(`${field} must be a list`);
  if (value.length > MAX_INSPECTOR_BATCH) {
    throw validation(
      `1 validation error detected: Value at '${field}' failed to satisfy constraint: Member must have length less than or equal to ${MAX_INSPECTOR_BATCH}`,
    );
  }
  return value.map((id) => {
    const accountId = typeof id === 'string' ? id : (id as { accountId?: unknown })?.accountId;
    if (typeof accountId !== 'string' || !ACCOUNT_ID.test(accountId)) {
      throw validation(
        `Value '${String(accountId)}' at '${field}' failed to satisfy constraint: Member must satisfy regular expression pattern: ^\\d{12}$`,
      );
    }
    return accountId;
  });
}

function page<T>(items: readonly T[], input: Json): { items: T[]; nextToken?: string } {
  const max = (input.MaxResults as number | undefined) ?? MAX_ORGANIZATIONS_PAGE;
  if (!Number.isInteger(max) || max < 1 || max > MAX_ORGANIZATIONS_PAGE) {
    throw new ServiceError(400, 'InvalidInputException', `MaxResults must be between 1 and ${MAX_ORGANIZATIONS_PAGE}`);
  }
  const start = input.NextToken === undefined ? 0 : Number(input.NextToken);
  const end = start + max;
  return { items: items.slice(start, end), ...(end < items.length ? { nextToken: String(end) } : {}) };
}

/** Organizations, JSON 1.1: the List* operations the reconciler calls. */
export function organizations(state: LocalState, operation: string, input: Json): Json {
  const org = state.organization;
  const account = (a: (typeof org.accounts)[number]) => ({
    Id: a.id,
    Arn: `arn:aws:organizations::${org.delegatedAdminAccountId}:account/${org.organizationId}/${a.id}`,
    Email: `${a.name}@example.com`,
    Name: a.name,
    State: a.state,
    JoinedMethod: 'CREATED',
    JoinedTimestamp: 1735689600,
  });
  switch (operation) {
    case 'ListAccounts': {
      const { items, nextToken } = page(org.accounts, input);
      return { Accounts: items.map(account), ...(nextToken ? { NextToken: nextToken } : {}) };
    }
    case 'ListRoots':
      return {
        Roots: [
          {
            Id: org.rootId,
            Name: 'Root',
            Arn: `arn:aws:organizations::${org.delegatedAdminAccountId}:root/${org.organizationId}/${org.rootId}`,
          },
        ],
      };
    case 'ListOrganizationalUnitsForParent': {
      const units = [...org.units.values()].filter((unit) => unit.parentId === input.ParentId);
      const { items, nextToken } = page(units, input);
      return {
        OrganizationalUnits: items.map((u) => ({ Id: u.id, Name: u.name })),
        ...(nextToken ? { NextToken: nextToken } : {}),
      };
    }
    case 'ListAccountsForParent': {
      const { items, nextToken } = page(
        org.accounts.filter((a) => a.parentId === input.ParentId),
        input,
      );
      return { Accounts: items.map(account), ...(nextToken ? { NextToken: nextToken } : {}) };
    }
    default:
      throw new ServiceError(400, 'UnknownOperationException', `Organizations operation ${operation} is not simulated`);
  }
}

/** Inspector2, REST-JSON: the path names the operation; the caller is the delegated administrator. */
export const INSPECTOR_PATHS: Record<string, string> = {
  '/status/batch/get': 'BatchGetAccountStatus',
  '/ec2deepinspectionstatus/member/batch/get': 'BatchGetMemberEc2DeepInspectionStatus',
  '/ec2deepinspectionstatus/member/batch/update': 'BatchUpdateMemberEc2DeepInspectionStatus',
  '/ec2deepinspectionconfiguration/get': 'GetEc2DeepInspectionConfiguration',
  '/ec2deepinspectionconfiguration/update': 'UpdateEc2DeepInspectionConfiguration',
  '/ec2deepinspectionconfiguration/org/update': 'UpdateOrgEc2DeepInspectionConfiguration',
};

export function inspector(state: LocalState, region: string, operation: string, input: Json): Json {
  const org = state.organization;
  const member = (id: string) => {
    const found = org.inspectorAccount(region, id);
    const active = org.account(id)?.state === 'ACTIVE';
    return found?.member && active ? found : undefined;
  };
  const admin = org.delegatedAdminAccountId;
  switch (operation) {
    case 'BatchGetAccountStatus': {
      const ids = requireIds(input.accountIds, 'accountIds', { required: false });
      const accounts: Json[] = [];
      const failedAccounts: Json[] = [];
      for (const accountId of ids) {
        const state = member(accountId);
        if (!state)
          failedAccounts.push({
            accountId,
            errorCode: 'ACCESS_DENIED',
            errorMessage: `${accountId} is not an associated member`,
          });
        else {
          accounts.push({
            accountId,
            state: { status: 'ENABLED' },
            resourceState: {
              ec2: { status: state.ec2ScanStatus },
              ecr: { status: 'ENABLED' },
              lambda: { status: 'DISABLED' },
            },
          });
        }
      }
      return { accounts, failedAccounts };
    }
    case 'BatchGetMemberEc2DeepInspectionStatus': {
      const ids = requireIds(input.accountIds, 'accountIds', { required: false });
      const accountIds: Json[] = [];
      const failedAccountIds: Json[] = [];
      for (const accountId of ids) {
        const state = member(accountId);
        if (!state) failedAccountIds.push({ accountId, errorMessage: 'The account is not an associated member' });
        else accountIds.push({ accountId, status: state.deepInspection });
      }
      return { accountIds, failedAccountIds };
    }
    case 'BatchUpdateMemberEc2DeepInspectionStatus': {
      requireIds(input.accountIds, 'accountIds', { required: true });
      const accountIds: Json[] = [];
      const failedAccountIds: Json[] = [];
      for (const entry of input.accountIds as { accountId: string; activateDeepInspection: boolean }[]) {
        const account = member(entry.accountId);
        const refuse = (errorMessage: string) =>
          failedAccountIds.push({
            accountId: entry.accountId,
            ec2ScanStatus: account?.ec2ScanStatus ?? 'DISABLED',
            errorMessage,
          });
        if (!account) refuse('The account is not an associated member');
        else if (entry.accountId === admin)
          refuse('The delegated administrator changes its own account with UpdateEc2DeepInspectionConfiguration');
        else if (account.ec2ScanStatus !== 'ENABLED') refuse('EC2 scanning is not enabled for this account');
        else if (state.failingUpdateAccounts.has(entry.accountId)) refuse('Simulated failure');
        else {
          account.deepInspection = entry.activateDeepInspection ? 'ACTIVATED' : 'DEACTIVATED';
          accountIds.push({ accountId: entry.accountId, status: account.deepInspection });
        }
      }
      return { accountIds, failedAccountIds };
    }
    case 'GetEc2DeepInspectionConfiguration': {
      const own = org.inspectorAccount(region, admin);
      return {
        status: own?.deepInspection ?? 'DEACTIVATED',
        packagePaths: [],
        orgPackagePaths: org.orgPackagePaths.get(region) ?? [],
      };
    }
    case 'UpdateEc2DeepInspectionConfiguration': {
      const own = org.inspectorAccount(region, admin);
      if (!own) throw new ServiceError(404, 'ResourceNotFoundException', 'Inspector is not enabled for this account');
      if (typeof input.activateDeepInspection === 'boolean')
        own.deepInspection = input.activateDeepInspection ? 'ACTIVATED' : 'DEACTIVATED';
      return { status: own.deepInspection, packagePaths: [], orgPackagePaths: org.orgPackagePaths.get(region) ?? [] };
    }
    case 'UpdateOrgEc2DeepInspectionConfiguration': {
      const paths = input.orgPackagePaths;
      if (!Array.isArray(paths)) throw validation('orgPackagePaths is required');
      if (paths.length > MAX_PACKAGE_PATHS)
        throw validation(`orgPackagePaths must have at most ${MAX_PACKAGE_PATHS} items`);
      if (paths.some((p) => typeof p !== 'string' || p.length < 1 || p.length > 512))
        throw validation('each path must be 1-512 characters');
      org.orgPackagePaths.set(region, [...(paths as string[])]);
      return {};
    }
    default:
      throw new ServiceError(404, 'UnknownOperationException', `Inspector2 operation ${operation} is not simulated`);
  }
}

/** SSM, JSON 1.1: GetParameter and PutParameter on String parameters. */
export function ssm(state: LocalState, operation: string, input: Json): Json {
  const name = String(input.Name);
  switch (operation) {
    case 'GetParameter': {
      const parameter = state.parameters.get(name);
      if (!parameter) throw new ServiceError(400, 'ParameterNotFound', '');
      return {
        Parameter: { Name: name, Type: 'String', Value: parameter.value, Version: parameter.version, DataType: 'text' },
      };
    }
    case 'PutParameter': {
      const existing = state.parameters.get(name);
      if (existing && !input.Overwrite)
        throw new ServiceError(400, 'ParameterAlreadyExists', 'The parameter already exists.');
      const value = String(input.Value);
      if (Buffer.byteLength(value) > 4096)
        throw new ServiceError(400, 'ParameterMaxVersionLimitExceeded', 'Standard parameter value exceeds 4 KB');
      const version = (existing?.version ?? 0) + 1;
      state.parameters.set(name, { value, version });
      return { Version: version, Tier: 'Standard' };
    }
    default:
      throw new ServiceError(400, 'UnknownOperationException', `SSM operation ${operation} is not simulated`);
  }
}

const md5 = (text: string) => createHash('md5').update(text, 'utf8').digest('hex');

/** SQS, JSON 1.0: SendMessageBatch and ReceiveMessage (which also deletes, to keep the simulation small). */
export function sqs(state: LocalState, operation: string, input: Json): Json {
  const queue = state.queues.get(String(input.QueueUrl));
  if (!queue) throw new ServiceError(400, 'QueueDoesNotExist', 'The specified queue does not exist.');
  switch (operation) {
    case 'SendMessageBatch': {
      const entries = (input.Entries ?? []) as { Id: string; MessageBody: string }[];
      if (entries.length === 0)
        throw new ServiceError(400, 'EmptyBatchRequest', 'There should be at least one entry in the request.');
      if (entries.length > MAX_SQS_BATCH)
        throw new ServiceError(
          400,
          'TooManyEntriesInBatchRequest',
          `Maximum number of entries per request are ${MAX_SQS_BATCH}.`,
        );
      if (new Set(entries.map((e) => e.Id)).size !== entries.length)
        throw new ServiceError(400, 'BatchEntryIdsNotDistinct', 'Two or more batch entries have the same Id.');
      const Successful: Json[] = [];
      const Failed: Json[] = [];
      for (const entry of entries) {
        const accountId = (JSON.parse(entry.MessageBody) as { accountId?: string }).accountId ?? '';
        if (state.failQueueEntriesOnce.delete(accountId)) {
          Failed.push({
            Id: entry.Id,
            SenderFault: false,
            Code: 'InternalError',
            Message: 'Simulated partial failure',
          });
          continue;
        }
        const messageId = randomUUID();
        queue.push({ messageId, body: entry.MessageBody });
        Successful.push({ Id: entry.Id, MessageId: messageId, MD5OfMessageBody: md5(entry.MessageBody) });
      }
      return { Successful, Failed };
    }
    case 'ReceiveMessage': {
      const taken = queue.splice(0, Math.min(Number(input.MaxNumberOfMessages ?? 1), MAX_SQS_BATCH));
      return {
        Messages: taken.map((m) => ({
          MessageId: m.messageId,
          ReceiptHandle: m.messageId,
          MD5OfBody: md5(m.body),
          Body: m.body,
        })),
      };
    }
    default:
      throw new ServiceError(400, 'UnsupportedOperation', `SQS operation ${operation} is not simulated`);
  }
}
