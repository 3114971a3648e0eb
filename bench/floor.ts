/** The least API calls a run needs, and the least time they can take under a rate limit and a latency. Pure. */

export const ORGANIZATIONS_PAGE = 20;
export const INSPECTOR_BATCH = 100;
export const SQS_BATCH = 10;

/** What a run has to do, as the benchmark sets it up. */
export interface RunShape {
  /** Accounts in the organization, the delegated administrator included; every one of them ACTIVE. */
  readonly accounts: number;
  readonly regions: number;
  /** Member accounts to change in each region (the delegated administrator is not a member). */
  readonly memberChangesPerRegion: number;
  /** Whether the delegated administrator's own account changes in each region. */
  readonly ownAccountChanges: boolean;
  /** Accounts × regions that end FAILED and go to the queue. */
  readonly failures: number;
  /**
   * Accounts with EC2 scanning not enabled in some region: each costs one DescribeEffectivePolicy, unless
   * Organizations refuses the first (the endpoint's default for the Inspector administrator), which then is
   * the run's only one. @default 0
   */
  readonly accountsWithEc2ScanningOff?: number;
  /** Whether Organizations answers the administrator's DescribeEffectivePolicy for other accounts. @default false */
  readonly effectivePoliciesReadable?: boolean;
  /**
   * The EC2 scan configuration step, when the policy manages it (docs/policy.md, version 3); absent when it
   * does not: then the run makes no call of it and the bounds are as they were before it.
   */
  readonly scanConfiguration?: ScanConfigurationShape;
}

/** What the scan configuration step of a run has to do, summed over the regions. */
export interface ScanConfigurationShape {
  /**
   * Members' GetConfiguration with `accountId`, one an account and region: the accounts whose scan
   * configuration the policy manages and that the run reads (its slice of the day, the accounts it names,
   * and those whose deep inspection it changes, each once: `membersRead`), in every region where Inspector
   * has them as members with EC2 scanning on. The delegated administrator's own is read with its region.
   */
  readonly memberReads: number;
  /** UpdateConfiguration with `accountId`: MEMBER and INHERIT_FROM_ADMIN writes. */
  readonly memberWrites: number;
  /** UpdateConfiguration of the administrator's own configuration (no `accountId`): at most one a region. */
  readonly administratorWrites: number;
}

/**
 * The members a run reads the scan configuration of in a region: its slice of the day, the accounts it
 * names and those whose deep inspection it changes, each once, of the accounts whose scan configuration
 * the policy manages; never the delegated administrator, whose configuration is read with the region.
 */
export function membersRead(
  managed: ReadonlySet<string>,
  reasons: {
    readonly slice: Iterable<string>;
    readonly named?: Iterable<string>;
    readonly deepInspectionChanged?: Iterable<string>;
  },
  administrator: string,
): Set<string> {
  const read = new Set<string>();
  for (const source of [reasons.slice, reasons.named ?? [], reasons.deepInspectionChanged ?? []]) {
    for (const accountId of source) if (managed.has(accountId) && accountId !== administrator) read.add(accountId);
  }
  return read;
}

export type Operation =
  | 'GetParameter'
  | 'ListAccounts'
  | 'ListRegions'
  | 'BatchGetAccountStatus'
  | 'BatchGetMemberEc2DeepInspectionStatus'
  | 'GetEc2DeepInspectionConfiguration'
  | 'GetConfiguration'
  | 'UpdateConfiguration'
  | 'GetDelegatedAdminAccount'
  | 'BatchUpdateMemberEc2DeepInspectionStatus'
  | 'UpdateEc2DeepInspectionConfiguration'
  | 'DescribeEffectivePolicy'
  | 'SendMessageBatch';

/**
 * Calls per operation for the whole run: the policy and the guardrail's deactivation ledger once each
 * (the ledger is written only by a run that deactivates, which the benchmark's runs do not); ⌈N/20⌉ ListAccounts once;
 * one ListRegions (fewer Regions than its 50 a page; in parallel with ListAccounts, so no floor of its own); per region ⌈N/100⌉
 * BatchGetAccountStatus, ⌈members/100⌉ BatchGetMemberEc2DeepInspectionStatus, one
 * GetEc2DeepInspectionConfiguration (the delegated administrator's own status), one GetConfiguration
 * (the region's EC2 scan mode), one GetDelegatedAdminAccount (whether this account is the administrator there,
 * before the reads), ⌈changes/100⌉ updates
 * and one UpdateEc2DeepInspectionConfiguration if its own account changes; one DescribeEffectivePolicy an
 * account with EC2 scanning off (one in all when refused; none in a run where EC2 scanning is on
 * everywhere, as in the steady state); ⌈failures/10⌉ messages. With the scan configuration managed, one
 * GetConfiguration a member read (beside the region's own) and one UpdateConfiguration a write, member or
 * administrator (neither operation has a batch form: inspector2 model, botocore 1.43.67); none without.
 */
export function lowerBounds(shape: RunShape): Record<Operation, number> {
  const members = shape.accounts - 1;
  return {
    GetParameter: 2,
    ListAccounts: Math.ceil(shape.accounts / ORGANIZATIONS_PAGE),
    ListRegions: 1,
    BatchGetAccountStatus: shape.regions * Math.ceil(shape.accounts / INSPECTOR_BATCH),
    BatchGetMemberEc2DeepInspectionStatus: shape.regions * Math.ceil(members / INSPECTOR_BATCH),
    GetEc2DeepInspectionConfiguration: shape.regions,
    GetConfiguration: shape.regions + (shape.scanConfiguration?.memberReads ?? 0),
    UpdateConfiguration:
      (shape.scanConfiguration?.memberWrites ?? 0) + (shape.scanConfiguration?.administratorWrites ?? 0),
    GetDelegatedAdminAccount: shape.regions,
    BatchUpdateMemberEc2DeepInspectionStatus: shape.regions * Math.ceil(shape.memberChangesPerRegion / INSPECTOR_BATCH),
    UpdateEc2DeepInspectionConfiguration: shape.ownAccountChanges ? shape.regions : 0,
    DescribeEffectivePolicy:
      (shape.accountsWithEc2ScanningOff ?? 0) === 0
        ? 0
        : shape.effectivePoliciesReadable
          ? (shape.accountsWithEc2ScanningOff ?? 0)
          : 1,
    SendMessageBatch: Math.ceil(shape.failures / SQS_BATCH),
  };
}

export interface Limits {
  /** Requests a second per operation and region, with a burst of one second's worth. */
  readonly perSecond: number;
  /** Organizations' requests a second per operation, when lower than `perSecond`. @default perSecond */
  readonly organizationsPerSecond?: number;
  /** Added to every call, in seconds. */
  readonly latency: number;
}

/**
 * Seconds `calls` requests to one operation need at least: the rate limit lets a second's burst
 * through and then one every 1/rate; a paginated operation also waits for each page's answer.
 */
export function operationFloor(calls: number, limits: Limits, { paginated }: { paginated: boolean }): number {
  if (calls === 0) return 0;
  const byRate = Math.max(0, calls - limits.perSecond) / limits.perSecond + limits.latency;
  const byLatency = paginated ? calls * limits.latency : limits.latency;
  return Math.max(byRate, byLatency);
}

/**
 * The least wall time a run can take: the policy read, then the account listing, then in every region
 * GetDelegatedAdminAccount and the reads (regions and the two reads in parallel, each against its own
 * limit), then the members' scan configuration reads (GetConfiguration with `accountId`, after the
 * region's own read, which the status reads cover), then the updates, then the scan configuration writes
 * (after the deep inspection writes: run/apply.ts), then the failure messages. Regions run in parallel, so
 * a region's share of the calls is what counts.
 */
export function runFloor(bounds: Record<Operation, number>, regions: number, limits: Limits): number {
  const perRegion = (calls: number) => Math.ceil(calls / regions);
  const reads = Math.max(
    perRegion(bounds.BatchGetAccountStatus),
    perRegion(bounds.BatchGetMemberEc2DeepInspectionStatus),
  );
  return (
    operationFloor(bounds.GetParameter, limits, { paginated: true }) +
    operationFloor(
      bounds.ListAccounts,
      { ...limits, perSecond: limits.organizationsPerSecond ?? limits.perSecond },
      { paginated: true },
    ) +
    operationFloor(perRegion(bounds.GetDelegatedAdminAccount), limits, { paginated: true }) +
    operationFloor(reads, limits, { paginated: false }) +
    // After the reads; at most one call when refused, and none where EC2 scanning is on everywhere.
    operationFloor(
      bounds.DescribeEffectivePolicy,
      { ...limits, perSecond: limits.organizationsPerSecond ?? limits.perSecond },
      { paginated: false },
    ) +
    // The region's own GetConfiguration is one of the reads above; its members' come after them.
    operationFloor(perRegion(Math.max(0, bounds.GetConfiguration - regions)), limits, { paginated: false }) +
    operationFloor(perRegion(bounds.BatchUpdateMemberEc2DeepInspectionStatus), limits, { paginated: false }) +
    operationFloor(perRegion(bounds.UpdateConfiguration), limits, { paginated: false }) +
    operationFloor(bounds.SendMessageBatch, limits, { paginated: false })
  );
}

/** Security Hub's page and batch: 100 findings a GetFindings page and a BatchImportFindings call. */
export const SECURITY_HUB_PAGE = 100;
export const SECURITY_HUB_BATCH = 100;
/** GetFindings' rate per account and region (Security Hub quotas); BatchImportFindings is at `perSecond`. */
export const GET_FINDINGS_PER_SECOND = 3;
/** Ids a GetFindings filter takes (API reference, GetFindings `Filters`: up to 20 values an attribute). */
export const SECURITY_HUB_FILTER_VALUES = 20;

export type SecurityHubOperation = 'GetFindings' | 'BatchImportFindings';

/** What the findings step has to do in one region: the open findings it reads, and the findings it must send. */
export interface FindingsRegionShape {
  /** This product's ACTIVE findings in the region before the run. */
  readonly open: number;
  /**
   * Exceptions with no open finding: new, or come back. Each may have an archived finding whose history
   * it keeps, so their Ids are looked up among the ARCHIVED findings, 20 a GetFindings. @default 0
   */
  readonly created?: number;
  /** Findings to import: new, changed, due for refresh, or to archive. */
  readonly toSend: number;
}

/** GetFindings calls in one region: ⌈open/100⌉ pages (at least one: it also says whether Security Hub is enabled), ⌈created/20⌉ look-ups. */
function getFindingsCalls(region: FindingsRegionShape): number {
  return (
    Math.max(1, Math.ceil(region.open / SECURITY_HUB_PAGE)) +
    Math.ceil((region.created ?? 0) / SECURITY_HUB_FILTER_VALUES)
  );
}

/**
 * Calls per Security Hub operation for the whole run: per region its GetFindings (getFindingsCalls; no
 * DescribeHub: GetFindings answers InvalidAccessException where Security Hub is off) and
 * ⌈toSend/100⌉ BatchImportFindings (none when nothing changed).
 */
export function securityHubLowerBounds(regions: readonly FindingsRegionShape[]): Record<SecurityHubOperation, number> {
  return {
    GetFindings: regions.reduce((sum, r) => sum + getFindingsCalls(r), 0),
    BatchImportFindings: regions.reduce((sum, r) => sum + Math.ceil(r.toSend / SECURITY_HUB_BATCH), 0),
  };
}

/**
 * The least time the findings step adds to a run: after the queue, every region in parallel, each its
 * GetFindings calls one after another (3 a second), then its imports (at `perSecond`).
 */
export function securityHubFloor(regions: readonly FindingsRegionShape[], limits: Limits): number {
  return Math.max(
    0,
    ...regions.map(
      (region) =>
        operationFloor(
          getFindingsCalls(region),
          { ...limits, perSecond: Math.min(limits.perSecond, GET_FINDINGS_PER_SECOND) },
          { paginated: true },
        ) + operationFloor(Math.ceil(region.toSend / SECURITY_HUB_BATCH), limits, { paginated: false }),
    ),
  );
}
