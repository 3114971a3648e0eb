import type { Ec2ScanConfiguration, ScanConfigurationRead } from '../aws/inspector';
import type { Observation } from '../model';
import type { ScanTarget } from '../plan';
import {
  DEFAULT_RULE,
  type Policy,
  SCAN_MODES,
  SCAN_SETTINGS,
  type ScanMode,
  type ScanSetting,
} from '../policy/schema';
import type {
  DecidedScanSetting,
  ObservedScanConfiguration,
  ScanConfigurationFailureReason,
  ScanConfigurationOutcome,
  ScanConfigurationWrite,
  ScanSettingChange,
} from './outcome';
import type { ScanConfigurationScope, ScanDecision } from './scope';

/*
 * The scan configuration's planner: each evaluated account's configuration as read, held to what the policy
 * decides, gives one outcome; for a change, how it is written. Pure: no I/O, no clock.
 */

/** What GetConfiguration read, per setting (outcome.ts ObservedScanValue), and whether a change is PENDING. */
export function observedOf(read: Exclude<Ec2ScanConfiguration, { error: string }>): ObservedScanConfiguration {
  const vm = read.vmScanner;
  const scanMode = SCAN_MODES.find((mode) => mode === read.scanMode);
  const vmScanner =
    vm?.status === 'FAILED'
      ? 'FAILED'
      : vm?.activated === undefined
        ? undefined
        : vm.activated
          ? 'ACTIVATED'
          : 'DEACTIVATED';
  return {
    ...(scanMode === undefined ? {} : { scanMode }),
    ...(vmScanner === undefined ? {} : { vmScanner }),
    pending: read.scanModeStatus === 'PENDING' || vm?.status === 'PENDING',
  };
}

/**
 * How the administrator's configuration stands this run, for its members' plans:
 * - `observed`: as read (absent: unreadable);
 * - `follows`: the settings whose administrator-level write is allowed and is made this run, is under way
 *   (PENDING) or cannot be told (unreadable): a member that differs only there follows it, not written one by one.
 */
export interface AdministratorState {
  readonly observed?: ObservedScanConfiguration;
  readonly follows: ReadonlySet<ScanSetting>;
}

/** What a target decides of each managed setting, with its rule, in SCAN_SETTINGS order. */
export function settingsOf(target: ScanTarget): DecidedScanSetting[] {
  return SCAN_SETTINGS.flatMap((setting) => {
    const decided = target[setting];
    return decided === undefined ? [] : [{ setting, value: decided.value, rule: decided.rule }];
  });
}

/**
 * Why Inspector leaves an account out, from the deep inspection read (BatchGetAccountStatus), or undefined to
 * read it. A SKIPPED outcome says what the policy decides of the account (`target`): whether a block keeps
 * from it something the policy wants is the findings step's question.
 */
export function notReadable(
  region: string,
  accountId: string,
  observation: Observation | undefined,
  target: ScanTarget,
): ScanConfigurationOutcome | undefined {
  if (observation === undefined) {
    return failed(region, accountId, 'STATUS_UNREADABLE', 'Inspector returned no status for this account');
  }
  const settings = settingsOf(target);
  if (observation.kind === 'SKIP') {
    return { kind: 'SKIPPED', accountId, region, reason: observation.reason, detail: observation.detail, settings };
  }
  if (observation.kind === 'UNREADABLE')
    return failed(region, accountId, 'STATUS_UNREADABLE', observation.errorMessage);
  if (observation.ec2ScanStatus !== 'ENABLED') {
    return {
      kind: 'SKIPPED',
      accountId,
      region,
      reason: 'EC2_SCANNING_NOT_ENABLED',
      detail: observation.ec2ScanStatus,
      settings,
    };
  }
  return undefined;
}

function failed(
  region: string,
  accountId: string,
  reason: ScanConfigurationFailureReason,
  errorMessage: string,
  extra: Partial<Pick<Extract<ScanConfigurationOutcome, { kind: 'FAILED' }>, 'rule' | 'observed'>> = {},
): ScanConfigurationOutcome {
  return { kind: 'FAILED', accountId, region, reason, errorMessage, ...extra };
}

/** The changes a target asks of an observed configuration, in SCAN_SETTINGS order. */
export function changesOf(target: ScanTarget, observed: ObservedScanConfiguration): ScanSettingChange[] {
  return SCAN_SETTINGS.flatMap((setting): ScanSettingChange[] => {
    const decided = target[setting];
    if (decided === undefined || observed[setting] === decided.value) return [];
    return [
      {
        setting,
        ...(observed[setting] === undefined ? {} : { from: observed[setting] }),
        to: decided.value,
        rule: decided.rule,
        enforcement: decided.enforcement,
      },
    ];
  });
}

/** A read that cannot be planned from: unreadable, cut off by the deadline, PENDING, or without a scan mode. */
function unplannable(
  region: string,
  accountId: string,
  read: ScanConfigurationRead | undefined,
): ScanConfigurationOutcome | ObservedScanConfiguration {
  if (read === undefined)
    return failed(region, accountId, 'CONFIGURATION_UNREADABLE', 'GetConfiguration was not asked');
  if ('error' in read) {
    return 'notReached' in read && read.notReached
      ? failed(region, accountId, 'TIMEOUT_NOT_REACHED', read.error)
      : failed(region, accountId, 'CONFIGURATION_UNREADABLE', read.error);
  }
  const observed = observedOf(read);
  if (observed.pending) return { kind: 'SKIPPED', accountId, region, reason: 'SCAN_CONFIGURATION_PENDING', observed };
  // UpdateConfiguration needs the scan mode in every ec2Configuration: without it nothing can be written.
  if (observed.scanMode === undefined) {
    return failed(region, accountId, 'CONFIGURATION_UNREADABLE', 'GetConfiguration answered no EC2 scan mode', {
      observed,
    });
  }
  return observed;
}

const isOutcome = (value: ScanConfigurationOutcome | ObservedScanConfiguration): value is ScanConfigurationOutcome =>
  'kind' in value;

/**
 * One member's outcome from its read. A member whose changes are all the default's, on settings the
 * administrator's configuration is being written in (or is PENDING, or unreadable), follows it (SKIPPED
 * FOLLOWS_ADMINISTRATOR): writing it one by one would configure it individually, cutting it off from later
 * default changes. A member governed by the default whose every setting the administrator's configuration
 * already has is reset to inherit (INHERIT_FROM_ADMIN); any other is written with its `accountId` (MEMBER).
 */
export function planMember(
  region: string,
  accountId: string,
  decision: ScanDecision,
  read: ScanConfigurationRead | undefined,
  administrator: AdministratorState,
): ScanConfigurationOutcome {
  if ('undecidedAt' in decision) {
    return failed(
      region,
      accountId,
      'ORGANIZATIONAL_UNIT_UNRESOLVED',
      "the account's place in the organization could not be found",
      { rule: decision.undecidedAt },
    );
  }
  const { target } = decision;
  const observed = unplannable(region, accountId, read);
  if (isOutcome(observed)) return observed;
  const changes = changesOf(target, observed);
  if (changes.length === 0) return { kind: 'COMPLIANT', accountId, region, observed, settings: settingsOf(target) };
  const enforced = changes.filter((change) => change.enforcement === 'enforce');
  const reportOnly = changes.filter((change) => change.enforcement === 'report');
  const base = { accountId, region, observed, ...(reportOnly.length > 0 && enforced.length > 0 ? { reportOnly } : {}) };
  if (enforced.length === 0) {
    return { ...base, kind: 'WOULD_UPDATE', write: writeFor(target, observed, administrator), changes: reportOnly };
  }
  const follows = enforced.every((change) => change.rule === DEFAULT_RULE && administrator.follows.has(change.setting));
  if (follows) {
    return {
      ...base,
      kind: 'SKIPPED',
      reason: 'FOLLOWS_ADMINISTRATOR',
      detail: 'the administrator configuration it inherits is being changed (or is under way): a later run verifies it',
      changes: enforced,
    };
  }
  return { ...base, kind: 'UPDATE', write: writeFor(target, observed, administrator), changes: enforced };
}

/** INHERIT_FROM_ADMIN where that gives the member exactly what the policy wants of every setting; else MEMBER. */
function writeFor(
  target: ScanTarget,
  observed: ObservedScanConfiguration,
  administrator: AdministratorState,
): ScanConfigurationWrite {
  const admin = administrator.observed;
  if (admin === undefined || admin.pending) return 'MEMBER';
  const inherits = SCAN_SETTINGS.every((setting) => {
    const decided = target[setting];
    if (decided === undefined) return admin[setting] === observed[setting];
    return decided.rule === DEFAULT_RULE && decided.enforcement === 'enforce' && admin[setting] === decided.value;
  });
  return inherits ? 'INHERIT_FROM_ADMIN' : 'MEMBER';
}

/**
 * The delegated administrator's own configuration (read with the region, without `accountId`): held to the
 * policy's `scanConfiguration`, each setting written only where `scope.administrator` allows it; a rule
 * naming the administrator with another value is not written (it would reach every member that inherits).
 */
export function planAdministrator(
  region: string,
  accountId: string,
  read: Ec2ScanConfiguration,
  policy: Policy,
  scope: ScanConfigurationScope,
): ScanConfigurationOutcome {
  const observed = unplannable(region, accountId, read);
  if (isOutcome(observed)) return observed;
  const decision = scope.decisions.get(accountId);
  const own = decision !== undefined && 'target' in decision ? decision.target : {};
  const defaults = policy.scanConfiguration;
  const writable: ScanSettingChange[] = [];
  const reportOnly: ScanSettingChange[] = [];
  const refused: { change: ScanSettingChange; why: string }[] = [];
  const mayReach = new Set<string>();
  for (const setting of SCAN_SETTINGS) {
    const value = defaults?.[setting];
    const decided = own[setting];
    // The default decides the administrator's configuration; without one, a rule naming it may.
    const to = value ?? decided?.value;
    if (to === undefined || observed[setting] === to) continue;
    const change: ScanSettingChange = {
      setting,
      ...(observed[setting] === undefined ? {} : { from: observed[setting] }),
      to,
      rule: value === undefined ? (decided?.rule ?? DEFAULT_RULE) : DEFAULT_RULE,
      enforcement: value === undefined ? (decided?.enforcement ?? 'enforce') : (defaults?.enforcement ?? 'enforce'),
    };
    const permission = scope.administrator[setting];
    if (value !== undefined && defaults?.enforcement === 'report') reportOnly.push(change);
    else if (permission?.allowed) {
      writable.push(change);
      for (const id of permission.mayReach) mayReach.add(id);
    } else {
      refused.push({
        change,
        why:
          permission === undefined
            ? `rule "${change.rule}" names the administrator, whose configuration every member that inherits it has: the policy's scanConfiguration decides it`
            : permission.why,
      });
    }
  }
  const detail =
    refused.length === 0
      ? undefined
      : `the administrator configuration is not written (${refused.map(({ change, why }) => `${change.setting}: ${why}`).join('; ')})`;
  const base = { accountId, region, observed, write: 'ADMINISTRATOR' as const };
  if (writable.length > 0) {
    return {
      ...base,
      kind: 'UPDATE',
      changes: writable,
      mayReach: [...mayReach],
      ...(reportOnly.length > 0 ? { reportOnly } : {}),
      ...(detail === undefined ? {} : { detail }),
    };
  }
  if (refused.length > 0) {
    return {
      kind: 'SKIPPED',
      accountId,
      region,
      observed,
      reason: 'ADMINISTRATOR_WRITE_NOT_ALLOWED',
      detail: detail ?? '',
      changes: refused.map(({ change }) => change),
      write: 'ADMINISTRATOR',
    };
  }
  if (reportOnly.length > 0) return { ...base, kind: 'WOULD_UPDATE', changes: reportOnly };
  const settings = SCAN_SETTINGS.flatMap((setting) => {
    const to = defaults?.[setting] ?? own[setting]?.value;
    return to === undefined
      ? []
      : [{ setting, value: to, rule: defaults?.[setting] ? DEFAULT_RULE : (own[setting]?.rule ?? DEFAULT_RULE) }];
  });
  return { kind: 'COMPLIANT', accountId, region, observed, settings };
}

/**
 * The administrator's state for its members' plans: which settings its configuration's write covers this
 * run (or is under way, or cannot be told), from its own outcome and the scope's permissions.
 */
export function administratorState(
  outcome: ScanConfigurationOutcome | undefined,
  scope: ScanConfigurationScope,
): AdministratorState {
  const allowed = SCAN_SETTINGS.filter((setting) => scope.administrator[setting]?.allowed === true);
  const observed = outcome?.observed;
  if (outcome === undefined || outcome.kind === 'FAILED' || observed?.pending) {
    return { ...(observed === undefined ? {} : { observed }), follows: new Set(allowed) };
  }
  const written = outcome.kind === 'UPDATE' ? outcome.changes.map((change) => change.setting) : [];
  return { ...(observed === undefined ? {} : { observed }), follows: new Set(written) };
}

/** The scan mode an UpdateConfiguration sends: the change's, else the one read (the model requires it). */
export function scanModeToWrite(outcome: {
  readonly changes: readonly ScanSettingChange[];
  readonly observed?: ObservedScanConfiguration;
}): ScanMode | undefined {
  const change = outcome.changes.find((candidate) => candidate.setting === 'scanMode');
  return (change?.to as ScanMode | undefined) ?? outcome.observed?.scanMode;
}
