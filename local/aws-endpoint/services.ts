import { createHash, randomUUID } from 'node:crypto';
import {
  type SimulatedEc2Configuration,
  settle,
  type SimulatedInspectorAccount,
  type SimulatedOrganization,
} from '../simulated-organization';
import { AZURE_VIRTUAL_MACHINES, azureVirtualMachine, reportedScanStatus } from '../simulated-coverage';
import { serviceError } from './errors';
import { SimulatedSecurityHub } from './securityhub';

/** Organizations' page size when a request names none. */
const DEFAULT_ORGANIZATIONS_PAGE = 20;
/** SQS's documented ceiling for a batch; its model does not state it, so it is checked here. */
const MAX_SQS_BATCH = 10;
/** SSM's standard-tier value limit, which the model does not state. */
const MAX_STANDARD_PARAMETER_BYTES = 4096;

type Json = Record<string, unknown>;

export interface StoredMessage {
  readonly messageId: string;
  readonly body: string;
  /** String message attributes, as sent. */
  readonly attributes?: Readonly<Record<string, { DataType: string; StringValue?: string }>>;
}

/** What SendMessage allows in a body or String attribute (SQS API Reference, SendMessage, MessageBody). */
const OUTSIDE_SQS_CHARACTERS = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

/** How the simulated services behave in time and in shape. Each has a switch for focused tests. */
export interface Simulation {
  /**
   * How long an accepted update reads PENDING before it settles. 0: it settles at once; Infinity: it reads
   * PENDING until the endpoint's `settleNow()` (AWS documents no bound, so no duration is more lenient than AWS).
   */
  pendingMs: number;
  /** Share (0–1) of updates that settle to FAILED with an `errorMessage` instead of the requested state. */
  settleToFailedShare: number;
  /** ListAccounts returns each account's `Paths`; off, callers must walk the tree. */
  paths: boolean;
  /**
   * Whether the delegated administrator may read another account's effective policy (DescribeEffectivePolicy
   * with its `TargetId`). The API reference documents that for the management account, or a member the
   * management account's delegation policy allows: off (AccessDeniedException), as for most Inspector
   * administrators, unless a test or the demo turns it on.
   */
  administratorReadsEffectivePolicies: boolean;
}

export const DEFAULT_SIMULATION: Readonly<Simulation> = {
  pendingMs: 1500,
  settleToFailedShare: 0,
  paths: true,
  administratorReadsEffectivePolicies: false,
};

/** State the simulated services share beyond the organization: SSM parameters and SQS queues. */
export class LocalState {
  readonly parameters = new Map<string, { value: string; version: number; tier?: string }>();
  readonly queues = new Map<string, StoredMessage[]>();
  /** Entries whose account id is here fail once in SendMessageBatch, as a partial failure. */
  readonly failQueueEntriesOnce = new Set<string>();
  /** Entries whose account id is here are left out of SendMessageBatch's answer once: neither Successful nor Failed. */
  readonly omitQueueEntriesOnce = new Set<string>();
  /** Accounts ListAccountsForParent leaves out, as when they move between OUs while a tree walk runs. */
  readonly movingAccounts = new Set<string>();
  /** Accounts whose deep-inspection update Inspector refuses. */
  readonly failingUpdateAccounts = new Set<string>();
  /** Accounts whose VM scanner activation ends FAILED (vmScannerState.status). */
  readonly failingVmScannerAccounts = new Set<string>();
  /**
   * Regions where the caller is not the delegated administrator: GetConfiguration and UpdateConfiguration
   * with a member's `accountId` answer AccessDeniedException there (its own configuration it still reads).
   */
  readonly notAdministratorRegions = new Set<string>();
  /**
   * The delegated administrator's RegionOptStatus by Region, beyond the organization's Regions (which
   * are ENABLED_BY_DEFAULT unless set here). A Region set to anything but ENABLED or ENABLED_BY_DEFAULT
   * answers every call with UnrecognizedClientException, as AWS does.
   */
  readonly regionOptStatus = new Map<string, string>();
  /**
   * Regions where the caller is not Inspector's delegated administrator: GetDelegatedAdminAccount names
   * `administrator` (another account; absent: none, ResourceNotFoundException) or, with `denied`, answers
   * AccessDeniedException; every read of another account answers ACCESS_DENIED and every write of one is
   * refused. Whether AWS answers a non-administrator's GetDelegatedAdminAccount is not documented: both
   * answers are simulated (delegated-administrator.ts).
   */
  readonly notAdministrator = new Map<string, { readonly administrator?: string } | { readonly denied: true }>();
  readonly simulation: Simulation = { ...DEFAULT_SIMULATION };
  /** Security Hub of the delegated administrator, every region. */
  readonly securityHub: SimulatedSecurityHub;
  private settled = 0;

  constructor(readonly organization: SimulatedOrganization) {
    this.securityHub = new SimulatedSecurityHub(organization.delegatedAdminAccountId);
  }

  /** Starts an update: PENDING for `pendingMs`, then the requested state (or FAILED, for the configured share). */
  startUpdate(account: SimulatedInspectorAccount, activate: boolean, now = Date.now()): void {
    const to = activate ? 'ACTIVATED' : 'DEACTIVATED';
    this.settled += 1;
    const fails =
      this.simulation.settleToFailedShare > 0 && fraction(this.settled) < this.simulation.settleToFailedShare;
    account.errorMessage = undefined;
    account.pending = { to, settlesAt: now + this.simulation.pendingMs, fails };
    if (this.simulation.pendingMs <= 0) settle(account, now);
    else account.deepInspection = 'PENDING';
  }
}

/** A deterministic spread of 0–1 over successive updates, so a share of failures is reproducible. */
function fraction(index: number): number {
  return (((index * 0.6180339887) % 1) + 1) % 1;
}

function page<T>(items: readonly T[], input: Json, operation: string): { items: T[]; nextToken?: string } {
  const max = (input.MaxResults as number | undefined) ?? DEFAULT_ORGANIZATIONS_PAGE;
  const start = input.NextToken === undefined ? 0 : Number(input.NextToken);
  if (!Number.isInteger(start) || start < 0 || start > items.length) {
    throw serviceError('organizations', 'InvalidInputException', `${operation}: the NextToken is not valid`, {
      members: { Reason: 'INVALID_NEXT_TOKEN' },
    });
  }
  const end = start + max;
  return { items: items.slice(start, end), ...(end < items.length ? { nextToken: String(end) } : {}) };
}

/** Organizations, JSON 1.1: the List* operations the reconciler calls. Requests are already held to the model. */
export function organizations(state: LocalState, operation: string, input: Json): Json {
  const org = state.organization;
  const arn = (kind: string, id: string) =>
    `arn:aws:organizations::${org.delegatedAdminAccountId}:${kind}/${org.organizationId}/${id}`;
  const account = (a: (typeof org.accounts)[number]) => ({
    Id: a.id,
    Arn: arn('account', a.id),
    Email: `${a.name}@example.com`,
    Name: a.name,
    State: a.state,
    ...(state.simulation.paths ? { Paths: [org.pathOf(a.id)] } : {}),
    JoinedMethod: 'CREATED',
    JoinedTimestamp: 1735689600,
  });
  const requireParent = (parentId: unknown) => {
    if (parentId !== org.rootId && !org.units.has(String(parentId))) {
      throw serviceError(
        'organizations',
        'ParentNotFoundException',
        `We can't find a root or OU with the ParentId ${String(parentId)}.`,
      );
    }
  };
  switch (operation) {
    case 'ListAccounts': {
      const { items, nextToken } = page(org.accounts, input, operation);
      return { Accounts: items.map(account), ...(nextToken ? { NextToken: nextToken } : {}) };
    }
    case 'DescribeAccount': {
      const found = org.account(String(input.AccountId));
      if (found === undefined) {
        throw serviceError('organizations', 'AccountNotFoundException', "You specified an account that doesn't exist.");
      }
      return { Account: account(found) };
    }
    case 'DescribeOrganization':
      return {
        Organization: {
          Id: org.organizationId,
          Arn: `arn:aws:organizations::${org.delegatedAdminAccountId}:organization/${org.organizationId}`,
          FeatureSet: 'ALL',
          MasterAccountArn: `arn:aws:organizations::${org.delegatedAdminAccountId}:account/${org.organizationId}/${org.delegatedAdminAccountId}`,
          MasterAccountId: org.delegatedAdminAccountId,
          MasterAccountEmail: 'management@example.com',
        },
      };
    case 'ListRoots':
      return { Roots: [{ Id: org.rootId, Name: 'Root', Arn: arn('root', org.rootId), PolicyTypes: [] }] };
    case 'ListOrganizationalUnitsForParent': {
      requireParent(input.ParentId);
      const units = [...org.units.values()].filter((unit) => unit.parentId === input.ParentId);
      const { items, nextToken } = page(units, input, operation);
      return {
        OrganizationalUnits: items.map((u) => ({
          Id: u.id,
          Arn: `arn:aws:organizations::${org.delegatedAdminAccountId}:ou/${org.organizationId}/${u.id}`,
          Name: u.name,
        })),
        ...(nextToken ? { NextToken: nextToken } : {}),
      };
    }
    case 'ListAccountsForParent': {
      requireParent(input.ParentId);
      const { items, nextToken } = page(
        org.accounts.filter((a) => a.parentId === input.ParentId && !state.movingAccounts.has(a.id)),
        input,
        operation,
      );
      return { Accounts: items.map(account), ...(nextToken ? { NextToken: nextToken } : {}) };
    }
    case 'DescribeEffectivePolicy':
      return describeEffectivePolicy(state, input);
    case 'ListParents': {
      const childId = String(input.ChildId);
      const parentId = org.account(childId)?.parentId ?? org.units.get(childId)?.parentId;
      if (parentId === undefined) {
        throw serviceError(
          'organizations',
          'ChildNotFoundException',
          `We can't find an organizational unit (OU) or AWS account with the ChildId ${childId}.`,
        );
      }
      return { Parents: [{ Id: parentId, Type: parentId.startsWith('r-') ? 'ROOT' : 'ORGANIZATIONAL_UNIT' }] };
    }
    default:
      throw serviceError(
        'organizations',
        'UnknownOperationException',
        `Organizations operation ${operation} is not simulated`,
      );
  }
}

/**
 * DescribeEffectivePolicy for the delegated administrator (Organizations API reference): any account may ask
 * for its own; a `TargetId` of another account is for the management account (or a member its delegation
 * policy allows), so the administrator is refused unless the simulation says otherwise. A root or OU is not
 * a target (TARGET_NOT_SUPPORTED); an account the organization does not have is TargetNotFoundException;
 * no policy of the type applies: EffectivePolicyNotFoundException. Only INSPECTOR_POLICY is simulated; the
 * content is the combined policy with no inheritance operators, as effective policies are shown.
 */
function describeEffectivePolicy(state: LocalState, input: Json): Json {
  const org = state.organization;
  const caller = org.delegatedAdminAccountId;
  const target = input.TargetId === undefined ? caller : String(input.TargetId);
  if (!/^\d{12}$/.test(target)) {
    throw serviceError('organizations', 'InvalidInputException', 'You can specify only an account as the target.', {
      members: { Reason: 'TARGET_NOT_SUPPORTED' },
    });
  }
  if (target !== caller && !state.simulation.administratorReadsEffectivePolicies) {
    throw serviceError('organizations', 'AccessDeniedException', "You don't have permissions to access this resource.");
  }
  if (org.account(target) === undefined) {
    throw serviceError('organizations', 'TargetNotFoundException', `We can't find a target with the ID ${target}.`);
  }
  const policy = input.PolicyType === 'INSPECTOR_POLICY' ? org.effectiveInspectorPolicy(target) : undefined;
  if (policy === undefined) {
    throw serviceError(
      'organizations',
      'EffectivePolicyNotFoundException',
      `We can't find an effective policy of type ${String(input.PolicyType)} for ${target}.`,
    );
  }
  const ec2Scanning = {
    ...(policy.enableInRegions ? { enable_in_regions: policy.enableInRegions } : {}),
    ...(policy.disableInRegions ? { disable_in_regions: policy.disableInRegions } : {}),
  };
  return {
    EffectivePolicy: {
      PolicyContent: JSON.stringify({ inspector: { enablement: { ec2_scanning: ec2Scanning } } }),
      LastUpdatedTimestamp: 1735689600,
      TargetId: target,
      PolicyType: 'INSPECTOR_POLICY',
    },
  };
}

/** ListRegions' page size when a request names none (AWS documents none; the model allows 1–50). */
const DEFAULT_REGIONS_PAGE = 20;

/** Every Region the simulation knows for the delegated administrator, with its RegionOptStatus. */
export function regionOptStatuses(state: LocalState): Map<string, string> {
  const statuses = new Map<string, string>(
    [...state.organization.inspector.keys()].map((region) => [region, 'ENABLED_BY_DEFAULT']),
  );
  for (const [region, status] of state.regionOptStatus) statuses.set(region, status);
  return statuses;
}

/** Whether a Region takes calls: only ENABLED and ENABLED_BY_DEFAULT do. */
export function isRegionEnabled(state: LocalState, region: string): boolean {
  const status = state.regionOptStatus.get(region);
  return status === undefined || status === 'ENABLED' || status === 'ENABLED_BY_DEFAULT';
}

/**
 * Account Management, REST-JSON: ListRegions and GetRegionOptStatus for the caller's own account.
 * `AccountId` (another account of the organization) needs trusted access for Account Management,
 * which the simulation does not have: refused.
 */
export function account(state: LocalState, operation: string, input: Json): Json {
  if (input.AccountId !== undefined) {
    throw serviceError('account', 'AccessDeniedException', 'Trusted access for Account Management is not enabled');
  }
  const statuses = regionOptStatuses(state);
  switch (operation) {
    case 'ListRegions': {
      const wanted = input.RegionOptStatusContains as string[] | undefined;
      const regions = [...statuses]
        .filter(([, status]) => wanted === undefined || wanted.includes(status))
        .map(([RegionName, RegionOptStatus]) => ({ RegionName, RegionOptStatus }));
      const max = (input.MaxResults as number | undefined) ?? DEFAULT_REGIONS_PAGE;
      const start = input.NextToken === undefined ? 0 : Number(input.NextToken);
      if (!Number.isInteger(start) || start < 0 || start > regions.length) {
        throw serviceError('account', 'ValidationException', 'The NextToken is not valid', {
          members: { reason: 'fieldValidationFailed', fieldList: [{ name: 'NextToken', message: 'not valid' }] },
        });
      }
      const end = start + max;
      return { Regions: regions.slice(start, end), ...(end < regions.length ? { NextToken: String(end) } : {}) };
    }
    case 'GetRegionOptStatus': {
      const name = String(input.RegionName);
      const status = statuses.get(name);
      if (status === undefined) {
        throw serviceError('account', 'ValidationException', `${name} is not a Region`, {
          members: { reason: 'invalidRegionOptTarget' },
        });
      }
      return { RegionName: name, RegionOptStatus: status };
    }
    default:
      throw serviceError('account', 'ValidationException', `Account operation ${operation} is not simulated`);
  }
}

/** What BatchGetAccountStatus says beside a scan status, as its model requires (`State` needs all three). */
function stateOf(status: string): Json {
  return status === 'ENABLED'
    ? { status, errorCode: 'ALREADY_ENABLED', errorMessage: 'Amazon Inspector is enabled' }
    : { status, errorCode: 'RESOURCE_NOT_FOUND', errorMessage: `Scanning is ${status.toLowerCase()}` };
}

/** Inspector2, REST-JSON: the path names the operation; the caller is the delegated administrator. */
export function inspector(state: LocalState, region: string, operation: string, input: Json): Json {
  const org = state.organization;
  const now = Date.now();
  const admin = org.delegatedAdminAccountId;
  const notAdministrator = state.notAdministrator.get(region);
  const member = (id: string) => {
    const found = org.inspectorAccount(region, id);
    const active = org.account(id)?.state === 'ACTIVE';
    // A non-administrator sees no member: only its own account.
    if (notAdministrator !== undefined && id !== admin) return undefined;
    return found?.member && active ? settle(found, now) : undefined;
  };
  const ownConfiguration = (own: SimulatedInspectorAccount | undefined) => ({
    status: own?.deepInspection ?? 'DEACTIVATED',
    ...(own?.errorMessage ? { errorMessage: own.errorMessage } : {}),
    packagePaths: [],
    orgPackagePaths: org.orgPackagePaths.get(region) ?? [],
  });
  switch (operation) {
    case 'BatchGetAccountStatus': {
      const accounts: Json[] = [];
      const failedAccounts: Json[] = [];
      for (const accountId of (input.accountIds as string[] | undefined) ?? []) {
        const account = member(accountId);
        if (!account) {
          failedAccounts.push({
            accountId,
            errorCode: 'ACCESS_DENIED',
            errorMessage: `${accountId} is not an associated member`,
          });
        } else if (account.accountStatusError) {
          failedAccounts.push({
            accountId,
            status: 'ENABLED',
            resourceStatus: { ec2: account.ec2ScanStatus, ecr: 'ENABLED' },
            errorCode: account.accountStatusError,
            errorMessage: `Simulated ${account.accountStatusError}`,
          });
        } else {
          accounts.push({
            accountId,
            state: stateOf('ENABLED'),
            resourceState: {
              ec2: stateOf(account.ec2ScanStatus),
              ecr: stateOf('ENABLED'),
              lambda: stateOf('DISABLED'),
            },
          });
        }
      }
      return { accounts, failedAccounts };
    }
    case 'BatchGetMemberEc2DeepInspectionStatus': {
      const accountIds: Json[] = [];
      const failedAccountIds: Json[] = [];
      for (const accountId of (input.accountIds as string[] | undefined) ?? []) {
        const account = member(accountId);
        if (!account) failedAccountIds.push({ accountId, errorMessage: 'The account is not an associated member' });
        else {
          accountIds.push({
            accountId,
            status: account.deepInspection,
            ...(account.errorMessage ? { errorMessage: account.errorMessage } : {}),
          });
        }
      }
      return { accountIds, failedAccountIds };
    }
    case 'BatchUpdateMemberEc2DeepInspectionStatus': {
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
          state.startUpdate(account, entry.activateDeepInspection, now);
          accountIds.push({ accountId: entry.accountId, status: account.deepInspection });
        }
      }
      return { accountIds, failedAccountIds };
    }
    case 'GetEc2DeepInspectionConfiguration': {
      const own = org.inspectorAccount(region, admin);
      if (!own)
        throw serviceError('inspector2', 'ResourceNotFoundException', 'Inspector is not enabled for this account');
      return ownConfiguration(settle(own, now));
    }
    case 'UpdateEc2DeepInspectionConfiguration': {
      const own = org.inspectorAccount(region, admin);
      if (!own) throw serviceError('inspector2', 'AccessDeniedException', 'Inspector is not enabled for this account');
      settle(own, now);
      if (typeof input.activateDeepInspection === 'boolean') state.startUpdate(own, input.activateDeepInspection, now);
      return ownConfiguration(own);
    }
    case 'UpdateOrgEc2DeepInspectionConfiguration':
      org.orgPackagePaths.set(region, [...(input.orgPackagePaths as string[])]);
      return {};
    case 'ListCoverage':
      return listCoverage(org, region, input, now);
    case 'GetDelegatedAdminAccount': {
      if (notAdministrator === undefined)
        return { delegatedAdmin: { accountId: admin, relationshipStatus: 'ENABLED' } };
      if ('denied' in notAdministrator) {
        throw serviceError(
          'inspector2',
          'AccessDeniedException',
          'You do not have sufficient access to perform this action.',
        );
      }
      if (notAdministrator.administrator === undefined) {
        throw serviceError('inspector2', 'ResourceNotFoundException', 'No delegated administrator is designated');
      }
      return { delegatedAdmin: { accountId: notAdministrator.administrator, relationshipStatus: 'ENABLED' } };
    }
    case 'GetConfiguration': {
      const accountId = input.accountId === undefined ? admin : scanConfigurationTarget(state, region, input);
      return {
        ec2Configuration: ec2ConfigurationState(org.ec2ConfigurationOf(region, accountId), now),
        ecrConfiguration: ecrConfigurationState(
          org.inspectorAccount(region, accountId),
          org.inspectorAccount(region, admin),
        ),
      };
    }
    case 'UpdateConfiguration':
      updateConfiguration(state, region, input, now);
      return {};
    default:
      throw serviceError(
        'inspector2',
        'UnknownOperationException',
        `Inspector2 operation ${operation} is not simulated`,
      );
  }
}

/**
 * The member a GetConfiguration or UpdateConfiguration `accountId` names: "you must be the delegated
 * administrator for this member account" (API reference), so the caller must be the administrator in the
 * region and the account its associated, ACTIVE member; the administrator's own id is not a member of
 * itself (it omits `accountId`). AccessDeniedException otherwise: the docs name no other error for it.
 */
function scanConfigurationTarget(state: LocalState, region: string, input: Json): string {
  const org = state.organization;
  const accountId = String(input.accountId);
  if (state.notAdministratorRegions.has(region)) {
    throw serviceError(
      'inspector2',
      'AccessDeniedException',
      `You must be the delegated administrator for ${accountId} to read or set its configuration`,
    );
  }
  const found = org.inspectorAccount(region, accountId);
  if (accountId === org.delegatedAdminAccountId || !found?.member || org.account(accountId)?.state !== 'ACTIVE') {
    throw serviceError(
      'inspector2',
      'AccessDeniedException',
      `${accountId} is not a member account of this delegated administrator`,
    );
  }
  return accountId;
}

/** GetConfiguration's `ec2Configuration`: PENDING until an accepted update is in effect, then SUCCESS (or FAILED). */
function ec2ConfigurationState(configuration: SimulatedEc2Configuration, now: number): Json {
  const before = (settlesAt: number | undefined) => settlesAt !== undefined && now < settlesAt;
  return {
    scanModeState: {
      scanMode: configuration.scanMode,
      scanModeStatus: before(configuration.settlesAt) ? 'PENDING' : 'SUCCESS',
    },
    vmScannerState: {
      activated: configuration.vmScannerActivated,
      ...(configuration.vmScannerActivatedAt === undefined
        ? {}
        : { activatedAt: configuration.vmScannerActivatedAt / 1000 }),
      status: before(configuration.vmScannerSettlesAt)
        ? 'PENDING'
        : configuration.vmScannerFails
          ? 'FAILED'
          : 'SUCCESS',
    },
  };
}

/** The account's own ECR rescan duration, else the administrator's, which members inherit as they do EC2's. */
function ecrConfigurationState(
  account: SimulatedInspectorAccount | undefined,
  admin?: SimulatedInspectorAccount,
): Json {
  const set = account?.ecrRescanDuration ?? admin?.ecrRescanDuration;
  if (set === undefined) return {};
  return {
    rescanDurationState: { rescanDuration: set.rescanDuration, status: 'SUCCESS', updatedAt: set.updatedAt / 1000 },
  };
}

const validation = (message: string, field: string) =>
  serviceError('inspector2', 'ValidationException', message, {
    members: { reason: 'FIELD_VALIDATION_FAILED', fields: [{ name: field, message }] },
  });
/** A request no single field is wrong in (ValidationExceptionReason OTHER). */
const otherValidation = (message: string) =>
  serviceError('inspector2', 'ValidationException', message, { members: { reason: 'OTHER' } });

/**
 * UpdateConfiguration (API reference): with a member's `accountId`, that member's configuration, which it
 * then keeps (individually configured); without, the caller's own, which reaches every member that has not
 * been individually configured. `updateConfigurationInheritance` INHERIT_FROM_ADMIN resets a member to
 * inherit: it needs `accountId` and may not come with `ec2Configuration` or `ecrConfiguration`. Every
 * `ec2Configuration` carries `scanMode` (the model requires it: switching the VM scanner alone sends the
 * current scan mode too). What an update names reads PENDING for `pendingMs` (the scan mode; the VM scanner only
 * when `activateVMScanner` is given), as does a reset to inherit. A call that sets nothing is refused, an empty
 * `updateConfigurationInheritance` included: the docs are silent, and accepting it would change nothing.
 */
function updateConfiguration(state: LocalState, region: string, input: Json, now: number): void {
  const org = state.organization;
  const inheritance = input.updateConfigurationInheritance as
    { ec2Configuration?: string; ecrConfiguration?: string } | undefined;
  const ec2 = input.ec2Configuration as { scanMode: 'EC2_SSM_AGENT_BASED' | 'EC2_HYBRID'; activateVMScanner?: boolean };
  const ecr = input.ecrConfiguration as { rescanDuration: string } | undefined;
  if (inheritance !== undefined) {
    if (inheritance.ec2Configuration === undefined && inheritance.ecrConfiguration === undefined) {
      throw validation(
        'updateConfigurationInheritance names nothing to inherit: give ec2Configuration or ecrConfiguration INHERIT_FROM_ADMIN',
        'updateConfigurationInheritance',
      );
    }
    if (input.accountId === undefined) {
      throw validation('updateConfigurationInheritance needs the accountId of a member', 'accountId');
    }
    if (ec2 !== undefined || ecr !== undefined) {
      throw validation(
        'updateConfigurationInheritance may not come with ec2Configuration or ecrConfiguration',
        'updateConfigurationInheritance',
      );
    }
  } else if (ec2 === undefined && ecr === undefined) {
    throw otherValidation(
      'nothing to update: give ec2Configuration, ecrConfiguration or updateConfigurationInheritance',
    );
  }
  const accountId =
    input.accountId === undefined ? org.delegatedAdminAccountId : scanConfigurationTarget(state, region, input);
  const account = org.inspectorAccount(region, accountId);
  if (account === undefined) {
    throw serviceError('inspector2', 'AccessDeniedException', 'Inspector is not enabled for this account');
  }
  const settlesAt = state.simulation.pendingMs > 0 ? now + state.simulation.pendingMs : undefined;
  if (inheritance?.ec2Configuration === 'INHERIT_FROM_ADMIN') {
    account.ec2Configuration = undefined;
    account.ec2InheritanceSettlesAt = settlesAt;
  }
  if (inheritance?.ecrConfiguration === 'INHERIT_FROM_ADMIN') account.ecrRescanDuration = undefined;
  if (ec2 !== undefined) {
    const current = org.ec2ConfigurationOf(region, accountId);
    const activated = ec2.activateVMScanner ?? current.vmScannerActivated;
    const vmScannerSettlesAt = ec2.activateVMScanner === undefined ? current.vmScannerSettlesAt : settlesAt;
    account.ec2InheritanceSettlesAt = undefined;
    account.ec2Configuration = {
      scanMode: ec2.scanMode,
      vmScannerActivated: activated,
      ...(activated
        ? { vmScannerActivatedAt: current.vmScannerActivated ? (current.vmScannerActivatedAt ?? now) : now }
        : {}),
      ...(settlesAt === undefined ? {} : { settlesAt }),
      ...(vmScannerSettlesAt === undefined ? {} : { vmScannerSettlesAt }),
      ...(activated && state.failingVmScannerAccounts.has(accountId) ? { vmScannerFails: true } : {}),
    };
  }
  if (ecr !== undefined) account.ecrRescanDuration = { rescanDuration: ecr.rescanDuration, updatedAt: now };
}

/** ListCoverage's page size when a request names none. */
const DEFAULT_COVERAGE_PAGE = 100;
/** The coverage filters simulated; any other is refused rather than ignored, which would return more than AWS. */
const SIMULATED_COVERAGE_FILTERS = new Set(['resourceType', 'scanType', 'accountId']);

type StringFilter = { comparison: string; value: string };

function passes(filters: StringFilter[] | undefined, value: string): boolean {
  if (filters === undefined) return true;
  const equals = filters.filter((f) => f.comparison === 'EQUALS');
  const notEquals = filters.filter((f) => f.comparison === 'NOT_EQUALS');
  return (equals.length === 0 || equals.some((f) => f.value === value)) && notEquals.every((f) => f.value !== value);
}

/** EC2 package-scan coverage of the organization's instances, account by account, `maxResults` a page; the token is where the next page starts. */
function listCoverage(org: SimulatedOrganization, region: string, input: Json, now: number): Json {
  const criteria = (input.filterCriteria ?? {}) as Record<string, StringFilter[]>;
  const unsimulated = Object.keys(criteria).filter((key) => !SIMULATED_COVERAGE_FILTERS.has(key));
  if (unsimulated.length > 0) {
    throw serviceError(
      'inspector2',
      'ValidationException',
      `coverage filters not simulated: ${unsimulated.join(', ')}`,
    );
  }
  const pageSize = Number(input.maxResults ?? DEFAULT_COVERAGE_PAGE);
  let [accountIndex, instanceIndex] = String(input.nextToken ?? '0:0')
    .split(':')
    .map(Number) as [number, number];
  const coveredResources: Json[] = [];
  const wanted = passes(criteria.resourceType, 'AWS_EC2_INSTANCE') && passes(criteria.scanType, 'PACKAGE');
  for (; wanted && accountIndex < org.accounts.length && coveredResources.length < pageSize; accountIndex++) {
    const account = org.accounts[accountIndex];
    const count = passes(criteria.accountId, account?.id ?? '') ? org.coverage.instanceCount(region, accountIndex) : 0;
    const state = account && org.inspectorAccount(region, account.id);
    const activated = state !== undefined && settle(state, now).deepInspection === 'ACTIVATED';
    for (; instanceIndex < count && coveredResources.length < pageSize; instanceIndex++) {
      const { instanceId, accountId, profile } = org.coverage.instance(region, accountIndex, instanceIndex);
      coveredResources.push({
        resourceType: 'AWS_EC2_INSTANCE',
        resourceId: instanceId,
        accountId,
        scanType: 'PACKAGE',
        scanStatus: reportedScanStatus(profile, activated),
        resourceMetadata: { ec2: { platform: profile.platform, amiId: 'ami-0123456789abcdef0' } },
        scanMode: profile.scanMode,
        provider: 'AWS',
      });
    }
    if (instanceIndex < count) break;
    instanceIndex = 0;
  }
  if (!wanted && accountIndex < org.accounts.length) [accountIndex, instanceIndex] = [org.accounts.length, 0];
  // After the organization's EC2 instances, the Azure virtual machines, for a filter that lets them through.
  const azure =
    passes(criteria.resourceType, 'Microsoft.Compute/virtualMachines') &&
    passes(criteria.scanType, 'PACKAGE') &&
    passes(criteria.accountId, org.delegatedAdminAccountId)
      ? AZURE_VIRTUAL_MACHINES
      : 0;
  if (accountIndex >= org.accounts.length) {
    for (; instanceIndex < azure && coveredResources.length < pageSize; instanceIndex++) {
      coveredResources.push(azureVirtualMachine(org.delegatedAdminAccountId, instanceIndex));
    }
  }
  const done = accountIndex >= org.accounts.length && instanceIndex >= azure;
  return { coveredResources, ...(done ? {} : { nextToken: `${accountIndex}:${instanceIndex}` }) };
}

/** SSM, JSON 1.1: GetParameter and PutParameter on String parameters. */
export function ssm(state: LocalState, operation: string, input: Json): Json {
  const name = String(input.Name);
  switch (operation) {
    case 'GetParameter': {
      const parameter = state.parameters.get(name);
      if (!parameter) throw serviceError('ssm', 'ParameterNotFound', `Parameter ${name} not found.`);
      return {
        Parameter: { Name: name, Type: 'String', Value: parameter.value, Version: parameter.version, DataType: 'text' },
      };
    }
    case 'PutParameter': {
      const existing = state.parameters.get(name);
      if (existing && !input.Overwrite)
        throw serviceError('ssm', 'ParameterAlreadyExists', 'The parameter already exists.');
      const value = String(input.Value);
      // An advanced parameter stays advanced: SSM cannot turn it back into a standard one.
      const tier = existing?.tier === 'Advanced' ? 'Advanced' : String(input.Tier ?? 'Standard');
      if (tier === 'Standard' && Buffer.byteLength(value) > MAX_STANDARD_PARAMETER_BYTES)
        throw serviceError(
          'ssm',
          'ValidationException',
          'Standard tier parameters support a maximum parameter value of 4096 characters.',
        );
      const version = (existing?.version ?? 0) + 1;
      state.parameters.set(name, { value, version, tier });
      return { Version: version, Tier: tier };
    }
    default:
      throw serviceError('ssm', 'UnknownOperationException', `SSM operation ${operation} is not simulated`);
  }
}

const md5 = (text: string) => createHash('md5').update(text, 'utf8').digest('hex');

/** SQS, JSON 1.0: SendMessageBatch and ReceiveMessage (which also deletes, to keep the simulation small). */
export function sqs(state: LocalState, operation: string, input: Json): Json {
  if (operation === 'GetQueueUrl') {
    // The queue's URL ends in /<owner account>/<name>, as SQS's do; the owner defaults to the caller's account.
    const owner = String(input.QueueOwnerAWSAccountId ?? state.organization.delegatedAdminAccountId);
    const url = [...state.queues.keys()].find((candidate) =>
      candidate.endsWith(`/${owner}/${String(input.QueueName)}`),
    );
    if (url === undefined) throw serviceError('sqs', 'QueueDoesNotExist', 'The specified queue does not exist.');
    return { QueueUrl: url };
  }
  const queue = state.queues.get(String(input.QueueUrl));
  if (!queue) throw serviceError('sqs', 'QueueDoesNotExist', 'The specified queue does not exist.');
  switch (operation) {
    case 'SendMessageBatch': {
      const entries = (input.Entries ?? []) as {
        Id: string;
        MessageBody: string;
        MessageAttributes?: Record<string, { DataType: string; StringValue?: string }>;
      }[];
      if (entries.length === 0)
        throw serviceError('sqs', 'EmptyBatchRequest', 'There should be at least one entry in the request.');
      if (entries.length > MAX_SQS_BATCH)
        throw serviceError(
          'sqs',
          'TooManyEntriesInBatchRequest',
          `Maximum number of entries per request are ${MAX_SQS_BATCH}.`,
        );
      if (new Set(entries.map((e) => e.Id)).size !== entries.length)
        throw serviceError('sqs', 'BatchEntryIdsNotDistinct', 'Two or more batch entries have the same Id.');
      const Successful: Json[] = [];
      const Failed: Json[] = [];
      for (const entry of entries) {
        // SQS refuses such an entry alone, as the sender's fault; the others of the batch go on.
        const strings = [entry.MessageBody, ...Object.values(entry.MessageAttributes ?? {}).map((a) => a.StringValue)];
        if (strings.some((text) => OUTSIDE_SQS_CHARACTERS.test(text ?? ''))) {
          Failed.push({
            Id: entry.Id,
            SenderFault: true,
            Code: 'InvalidMessageContents',
            Message: 'Invalid binary character in the message body or attributes',
          });
          continue;
        }
        const accountId = (JSON.parse(entry.MessageBody) as { accountId?: string }).accountId ?? '';
        if (state.omitQueueEntriesOnce.delete(accountId)) continue;
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
        queue.push({
          messageId,
          body: entry.MessageBody,
          ...(entry.MessageAttributes ? { attributes: entry.MessageAttributes } : {}),
        });
        Successful.push({ Id: entry.Id, MessageId: messageId, MD5OfMessageBody: md5(entry.MessageBody) });
      }
      return { Successful, Failed };
    }
    case 'ReceiveMessage': {
      const taken = queue.splice(0, Math.min(Number(input.MaxNumberOfMessages ?? 1), MAX_SQS_BATCH));
      // Message attributes come back only when asked for, by name or "All".
      const asked = (input.MessageAttributeNames ?? []) as string[];
      const wanted = (name: string) => asked.includes('All') || asked.includes('.*') || asked.includes(name);
      return {
        Messages: taken.map((m) => {
          const attributes = Object.entries(m.attributes ?? {}).filter(([name]) => wanted(name));
          return {
            MessageId: m.messageId,
            ReceiptHandle: m.messageId,
            MD5OfBody: md5(m.body),
            Body: m.body,
            ...(attributes.length > 0 ? { MessageAttributes: Object.fromEntries(attributes) } : {}),
          };
        }),
      };
    }
    default:
      throw serviceError('sqs', 'UnsupportedOperation', `SQS operation ${operation} is not simulated`);
  }
}
