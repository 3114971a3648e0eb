import type { Outcome } from '../model';
import {
  type DecidedScanSetting,
  isNarrowing,
  type ScanConfigurationOutcome,
  type ScanSettingChange,
} from '../scan-configuration/outcome';
import type {
  AccountException,
  ExceptionStatus,
  FindingsVerdict,
  ScanConfigurationExceptionReason,
  SeverityLabel,
} from './exception';

// The EC2 scan configuration's stream (scan-configuration/outcome.ts): its table is docs/findings.md,
// "The EC2 scan configuration".

/** What the policy wants of one setting, and the rule that decides it: a change's, or a setting as decided. */
type Wanted = Pick<ScanSettingChange, 'setting' | 'to' | 'rule'>;

/** A widening change: what the policy wants is more scanning (VM scanner ACTIVATED, scan mode EC2_HYBRID). */
const widens = (change: Wanted) => !isNarrowing(change);

/** `vmScanner ACTIVATED, scanMode EC2_HYBRID`: what the policy wants, as the finding's Desired. */
const wanted = (changes: readonly Wanted[]) => changes.map((change) => `${change.setting} ${change.to}`).join(', ');

/** The rules that decided the changes, in order, once each. */
const rulesOf = (changes: readonly Wanted[]) => [...new Set(changes.map((change) => change.rule))].join(', ');

/** The settings the policy decides for an account skipped before its read (none when not said). */
const wantedOf = (settings: readonly DecidedScanSetting[] = []): Wanted[] =>
  settings.map(({ setting, value, rule }) => ({ setting, to: value, rule }));

/** Every change the outcome carries, whatever became of it (written, report-only, waiting, held, refused). */
function changesOf(outcome: ScanConfigurationOutcome): readonly ScanSettingChange[] {
  switch (outcome.kind) {
    case 'COMPLIANT':
      return [];
    case 'UPDATE':
    case 'WOULD_UPDATE':
      return [...outcome.changes, ...(outcome.reportOnly ?? []), ...(outcome.waiting ?? [])];
    case 'SKIPPED':
    case 'FAILED':
      return outcome.changes ?? [];
  }
}

/**
 * One scan configuration outcome's verdict, by the table in docs/findings.md.
 * @param deep the account's deep inspection outcome in the same region, when the run has one: where EC2 scanning
 *   is off, it says what the organization's Inspector policy says of it (`ec2ScanningOff`)
 */
export function scanConfigurationVerdictOf(outcome: ScanConfigurationOutcome, deep?: Outcome): FindingsVerdict {
  const { accountId, region } = outcome;
  const exception = (
    reason: ScanConfigurationExceptionReason,
    severity: SeverityLabel,
    status: ExceptionStatus,
    facts: Pick<AccountException, 'rule' | 'scanTarget' | 'detail' | 'message' | 'ec2ScanningOff'>,
  ): FindingsVerdict => ({
    settled: true,
    exception: {
      kind: 'ACCOUNT',
      reason,
      accountId,
      region,
      severity,
      status,
      ...Object.fromEntries(Object.entries(facts).filter(([, value]) => value !== undefined && value !== '')),
    },
  });
  const changes = changesOf(outcome);
  if (outcome.kind === 'FAILED') {
    if (outcome.reason !== 'UPDATE_FAILED') {
      // Unreadable, not reached, a region failed, an OU unresolved: the queue (FailedAccounts alarms) and the
      // deep inspection stream's own findings tell them; nobody can say the scan configuration holds or not.
      return { settled: false, why: `scan configuration ${outcome.reason}` };
    }
    return exception('SCAN_CONFIGURATION_UPDATE_FAILED', changes.some(widens) ? 'HIGH' : 'MEDIUM', 'FAILED', {
      rule: rulesOf(changes),
      scanTarget: wanted(changes),
      ...(outcome.write === undefined ? {} : { detail: outcome.write }),
      message: outcome.errorMessage,
    });
  }
  if (outcome.kind === 'SKIPPED') {
    switch (outcome.reason) {
      case 'BLOCKED_BY_ORGANIZATION_POLICY':
      case 'EC2_SCANNING_NOT_ENABLED': {
        if (outcome.detail === 'ENABLING') return { settled: false, why: 'EC2 scanning is being enabled' };
        // A block keeps from the account only what widens its scanning: the VM scanner off or the SSM-only scan
        // mode is no exception (EC2 scanning off altogether is deep inspection's finding where it wants it).
        const widening = wantedOf(outcome.settings).filter(widens);
        if (widening.length === 0) return { settled: true };
        const wants = { rule: rulesOf(widening), scanTarget: wanted(widening) };
        if (outcome.reason === 'BLOCKED_BY_ORGANIZATION_POLICY') {
          return exception('SCAN_CONFIGURATION_BLOCKED_BY_ORGANIZATION_POLICY', 'HIGH', 'FAILED', {
            ...wants,
            detail: 'BLOCKED_BY_ORGANIZATION_POLICY',
          });
        }
        const cause = deep?.kind === 'SKIPPED' ? deep.ec2ScanningOff : undefined;
        if (cause === undefined || cause.kind === 'COULD_NOT_TELL') {
          return {
            settled: false,
            why: "whether the organization's Inspector policy disables EC2 scanning is not known",
          };
        }
        // Off by someone's choice where no Inspector policy decides: deep inspection's own finding covers it.
        if (cause.kind !== 'DISABLED_BY_POLICY') return { settled: true };
        return exception('SCAN_CONFIGURATION_BLOCKED_BY_ORGANIZATION_POLICY', 'MEDIUM', 'WARNING', {
          ...wants,
          detail: 'EC2_SCANNING_DISABLED_BY_INSPECTOR_POLICY',
          ec2ScanningOff: cause,
        });
      }
      case 'SCAN_CONFIGURATION_PENDING':
      case 'INSPECTOR_STATUS_CHANGING':
      case 'WAITS_FOR_WIDENING':
      case 'FOLLOWS_ADMINISTRATOR':
      case 'CHANGED_SINCE_PLAN':
        return { settled: false, why: 'in transition' };
      default:
        break;
    }
  }
  // Read this run with the VM scanner FAILED, and the policy manages the VM scanner.
  const vmScanner = changes.find((change) => change.setting === 'vmScanner');
  if (outcome.observed?.vmScanner === 'FAILED' && vmScanner !== undefined) {
    return exception('VM_SCANNER_FAILED', vmScanner.to === 'ACTIVATED' ? 'HIGH' : 'MEDIUM', 'FAILED', {
      rule: vmScanner.rule,
      scanTarget: wanted([vmScanner]),
      detail: 'FAILED',
    });
  }
  return { settled: true };
}
