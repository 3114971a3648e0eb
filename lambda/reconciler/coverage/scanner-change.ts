import type { ScanConfigurationRead } from '../aws/inspector';
import { changesOf } from '../scan-configuration/plan';
import { observedOf } from '../scan-configuration/plan';
import type { ScanSettingChange } from '../scan-configuration/outcome';
import type { ScanDecision } from '../scan-configuration/scope';
import type { AccountCoverage, ScannerCounts } from './tally';

/*
 * Instances by scanner, before and after a planned scan configuration change: for each account whose planned
 * change (the policy's enforced scan mode or VM scanner against GetConfiguration's answer) would move
 * instances between scanners, its counts now and as planned. Pure.
 *
 * What "after" assumes, per change (docs/coverage.md says the same):
 * - VM scanner → ACTIVATED: the instances the SSM plugin scans now move to the VM scanner: with Enhanced EC2
 *   Scanning on, "Amazon Inspector automatically installs and manages the VM Scanner using SSM" (Inspector user
 *   guide, "Manual installation and configuration"), and the plugin's instances are the SSM-managed ones.
 *   Agentless instances stay agentless (not SSM-managed, nothing to install it through).
 * - VM scanner → DEACTIVATED: the VM scanner's instances go back to the SSM plugin (those it was installed on by
 *   hand cannot be told apart, and are counted as moving too).
 * - scan mode → EC2_SSM_AGENT_BASED: hybrid's agentless part stops: the agentless instances are no longer scanned.
 * - scan mode → EC2_HYBRID: instances not managed by SSM (ListCoverage's UNMANAGED_EC2_INSTANCE) are scanned
 *   agentless (Ec2Configuration: hybrid adds scanning of "instances that are not managed by SSM").
 * Nothing else changes: the same instances, states and platforms as this measurement read.
 */

/** The counts after a change: by scanner, and the instances no scanner would scan any more. */
export type ProjectedScannerCounts = ScannerCounts & { unscanned: number };

export interface ScannerMove {
  readonly accountId: string;
  readonly region: string;
  /** The enforced changes the policy plans for the account (what `apply` would write). */
  readonly changes: readonly Pick<ScanSettingChange, 'setting' | 'from' | 'to' | 'rule'>[];
  readonly before: ScannerCounts;
  readonly after: ProjectedScannerCounts;
}

/** A region's planned moves: each account's, their sums, and the reads that could not tell. */
export interface RegionScannerChanges {
  readonly accounts: readonly ScannerMove[];
  /** The moving accounts' instances, summed: now and as planned. */
  readonly before: ScannerCounts;
  readonly after: ProjectedScannerCounts;
  /** GetConfiguration calls made with a member's `accountId`. */
  readonly reads: number;
  /** Accounts whose configuration could not be read (or is PENDING), with why: not projected. */
  readonly unread: readonly { readonly accountId: string; readonly why: string }[];
}

/** The account's counts after `changes`, by the rules above. */
export function projectScanners(
  account: Pick<AccountCoverage, 'byScanner' | 'unmanagedByScanner'>,
  changes: readonly Pick<ScanSettingChange, 'setting' | 'to'>[],
): ProjectedScannerCounts {
  const after = { ...account.byScanner, unscanned: 0 };
  for (const change of changes) {
    if (change.setting === 'scanMode' && change.to === 'EC2_SSM_AGENT_BASED') {
      after.unscanned += after.agentless;
      after.agentless = 0;
    } else if (change.setting === 'scanMode' && change.to === 'EC2_HYBRID') {
      for (const scanner of ['ssmPlugin', 'vmScanner', 'notReported'] as const) {
        const moving = Math.min(account.unmanagedByScanner[scanner], after[scanner]);
        after[scanner] -= moving;
        after.agentless += moving;
      }
    } else if (change.setting === 'vmScanner' && change.to === 'ACTIVATED') {
      after.vmScanner += after.ssmPlugin;
      after.ssmPlugin = 0;
    } else if (change.setting === 'vmScanner' && change.to === 'DEACTIVATED') {
      after.ssmPlugin += after.vmScanner;
      after.vmScanner = 0;
    }
  }
  return after;
}

const emptyCounts = (): ScannerCounts => ({ ssmPlugin: 0, vmScanner: 0, agentless: 0, notReported: 0 });
const SCANNERS = ['ssmPlugin', 'vmScanner', 'agentless', 'notReported'] as const;
const moves = (before: ScannerCounts, after: ProjectedScannerCounts) =>
  after.unscanned > 0 || SCANNERS.some((scanner) => before[scanner] !== after[scanner]);

/**
 * The accounts of a region whose enforced planned change moves instances, from their coverage and their
 * configuration as read.
 * @param reads each account's GetConfiguration answer (the administrator's own included, read without `accountId`)
 */
export function scannerChanges(
  region: string,
  accounts: readonly AccountCoverage[],
  decisions: ReadonlyMap<string, ScanDecision>,
  reads: ReadonlyMap<string, ScanConfigurationRead>,
  memberReads: number,
): RegionScannerChanges {
  const moved: ScannerMove[] = [];
  const unread: { accountId: string; why: string }[] = [];
  const before = emptyCounts();
  const after: ProjectedScannerCounts = { ...emptyCounts(), unscanned: 0 };
  for (const account of accounts) {
    const decision = decisions.get(account.accountId);
    if (decision === undefined || !('target' in decision) || account.instances === 0) continue;
    const read = reads.get(account.accountId);
    if (read === undefined || 'error' in read) {
      unread.push({ accountId: account.accountId, why: read === undefined ? 'not read' : read.error });
      continue;
    }
    const observed = observedOf(read);
    if (observed.pending) {
      unread.push({ accountId: account.accountId, why: 'a change is PENDING' });
      continue;
    }
    const changes = changesOf(decision.target, observed).filter((change) => change.enforcement === 'enforce');
    const projected = projectScanners(account, changes);
    if (!moves(account.byScanner, projected)) continue;
    moved.push({
      accountId: account.accountId,
      region,
      changes: changes.map(({ setting, from, to, rule }) => ({ setting, ...(from === undefined ? {} : { from }), to, rule })),
      before: { ...account.byScanner },
      after: projected,
    });
    for (const scanner of SCANNERS) {
      before[scanner] += account.byScanner[scanner];
      after[scanner] += projected[scanner];
    }
    after.unscanned += projected.unscanned;
  }
  return { accounts: moved, before, after, reads: memberReads, unread };
}
