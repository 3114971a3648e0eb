import type { RegionSecurityHub } from '../aws/securityhub';
import type { CallBudget } from '../deadline/budget';
import type { Outcome } from '../model';
import { managesScanConfiguration } from '../plan';
import type { Policy } from '../policy/schema';
import type { ScanConfigurationOutcome } from '../scan-configuration/outcome';
import { type FindingsReport, findingsGate, syncFindings } from './sync';

/** What the findings step needs: whether the stack allows it, and each region's Security Hub. */
export interface FindingsPort {
  /** The stack granted the Security Hub permissions (its securityHubFindings setting). */
  readonly stackGranted: boolean;
  /**
   * Each region's Security Hub, resolved once a run, just before the step and only when it runs (the stack
   * grants it and the policy asks): the handler loads the Security Hub client there, so that a run with the
   * findings off never loads it. The function it gives is asked only for the regions the run evaluated and
   * could read.
   */
  readonly loadSecurityHub: () => Promise<(region: string) => RegionSecurityHub>;
}

/**
 * The findings step, after the queue: the run's exceptions into each region's Security Hub, when the
 * policy asks for them and the stack grants them; the rest of the run is done by then, so it costs the
 * reconcile nothing but its own calls. Scoped to what this run saw: its regions, of those the ones it
 * could read, and the whole organization only when no `accounts` were named. A run of the whole policy
 * also sweeps the enabled regions the policy no longer names. A dry run makes no call.
 * @returns undefined when the policy does not ask (or no findings port is given, as in the CLI)
 */
export async function findingsStep(
  {
    policy,
    reports,
    outcomes,
    enabledRegions,
    enabledRegionsError,
    scanConfigurationManaged,
    request,
    now,
  }: {
    readonly policy: Policy;
    /**
     * The regions the run evaluated (the run's RegionReport, of which the step reads these fields); `error`
     * set on those it could not read.
     */
    readonly reports: readonly {
      readonly region: string;
      readonly error?: string;
      /** The region's scan configuration outcomes, when the policy manages scan configuration. */
      readonly scanConfiguration?: { readonly outcomes: readonly ScanConfigurationOutcome[] };
    }[];
    readonly outcomes: readonly Outcome[];
    /** The regions the account has enabled, or why ListRegions could not list them (RunPlan's). */
    readonly enabledRegions?: readonly string[];
    readonly enabledRegionsError?: string;
    /** The accounts of the run's scope whose scan configuration the policy manages, read this run or not (RunPlan's). */
    readonly scanConfigurationManaged?: ReadonlySet<string>;
    /** What the run was asked: its accounts and regions when it named some, dry run or not, and whose run it is. */
    readonly request: {
      readonly accountIds?: readonly string[];
      readonly regions?: readonly string[];
      readonly dryRun: boolean;
      readonly ownAccountId: string;
    };
    readonly now: () => Date;
  },
  port: FindingsPort | undefined,
  deadline: CallBudget,
): Promise<{ report?: FindingsReport; notGranted?: string } | undefined> {
  if (port === undefined) return undefined;
  const gate = findingsGate({ stackGranted: port.stackGranted, policyAsks: policy.findings.securityHub });
  if (!gate.sync) return gate.warning === undefined ? undefined : { notGranted: gate.warning };
  const regions = reports.map((report) => report.region);
  // Only a run of the whole policy may say that a region it did not evaluate holds no exception.
  const wholePolicy = request.accountIds === undefined && request.regions === undefined;
  // A policy managing no scan configuration has no scan configuration outcome: its open findings are archived.
  const managed = managesScanConfiguration(policy);
  const report = await syncFindings(
    {
      outcomes,
      ...(managed ? { scanConfiguration: reports.flatMap((report) => report.scanConfiguration?.outcomes ?? []) } : {}),
      ...(managed && scanConfigurationManaged !== undefined ? { scanConfigurationManaged } : {}),
      policy,
      scope: {
        regions,
        readRegions: reports.filter((report) => report.error === undefined).map((report) => report.region),
        wholeOrganization: request.accountIds === undefined,
        ...(wholePolicy && enabledRegions !== undefined
          ? { sweepRegions: enabledRegions.filter((region) => !regions.includes(region)) }
          : {}),
        ...(wholePolicy && enabledRegionsError !== undefined
          ? {
              sweepSkipped: `ListRegions failed (${enabledRegionsError}): regions the policy does not name were not swept`,
            }
          : {}),
      },
      dryRun: request.dryRun,
      now: now(),
      ownAccountId: request.ownAccountId,
    },
    { securityHubFor: request.dryRun ? notCalled : await loadOrExplain(port), budget: deadline },
  );
  return { report };
}

/** A plan's findings step calls no Security Hub: syncFindings never asks it for a port. */
function notCalled(region: string): never {
  throw new Error(`a dry run makes no Security Hub call (asked for ${region})`);
}

/**
 * The Security Hub ports, or ports that answer every call with why they could not be loaded: a client
 * that cannot be loaded fails no run, each region reports it as it would a refused call
 * (`regionErrors`, the `FindingsNotImported` alarm).
 */
async function loadOrExplain(port: FindingsPort): Promise<(region: string) => RegionSecurityHub> {
  try {
    return await port.loadSecurityHub();
  } catch (error) {
    const fail = async (): Promise<never> => {
      throw error;
    };
    return () => ({ calls: 0, openFindings: fail, archivedFindings: fail, importFindings: fail });
  }
}
