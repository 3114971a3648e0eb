import {
  GetConfigurationCommand,
  type GetConfigurationResponse,
  type Inspector2Client,
  UpdateConfigurationCommand,
} from '@aws-sdk/client-inspector2';
import { mapWithConcurrency } from '../batches';
import { describeError } from '../errors/describe-error';
import type { ScanMode } from '../policy/schema';
import { type CallBudget, NOT_REACHED, UNLIMITED } from '../deadline/budget';

/*
 * The Inspector adapter's EC2 scan configuration calls (GetConfiguration, UpdateConfiguration), apart from
 * aws/inspector.ts for its size: InspectorRegion serves them. Each is one account a call; the client's
 * pacing (aws/pacing.ts, INSPECTOR_REQUESTS_PER_SECOND per operation and region) keeps them under the rate,
 * and the SDK's retry strategy backs off a ThrottlingException. Inspector documents no rate for either.
 */

/** GetConfiguration and UpdateConfiguration calls in flight per region: the pacing, not this, sets the rate. */
export const SCAN_CONFIGURATION_CONCURRENCY = 4;

/**
 * One account's EC2 scan configuration, as GetConfiguration answers it (inspector2 model, botocore 1.43.67:
 * `Ec2ConfigurationState`), or why it could not be read:
 * - `scanMode`: EC2_SSM_AGENT_BASED (agent-based through SSM) or EC2_HYBRID, hybrid scanning (agent-based
 *   plus agentless, from EBS snapshots, for instances SSM does not manage: Inspector user guide, "Scanning
 *   Amazon EC2 instances"); `scanModeStatus` SUCCESS | PENDING.
 * - `vmScanner`: the Inspector VM scanner, which is Enhanced EC2 Scanning (user guide, "Manual installation
 *   and configuration" of the Inspector VM Scanner): `activated`, `activatedAt` (ISO 8601), `status`
 *   SUCCESS | PENDING | FAILED.
 */
export type Ec2ScanConfiguration =
  | {
      readonly scanMode?: string;
      readonly scanModeStatus?: string;
      readonly vmScanner?: { readonly activated?: boolean; readonly activatedAt?: string; readonly status?: string };
    }
  | { readonly error: string };

/** GetConfiguration's answer for one member, or why there is none (`notReached`: the run's deadline came first). */
export type ScanConfigurationRead = Ec2ScanConfiguration | { readonly error: string; readonly notReached?: true };

/**
 * One UpdateConfiguration (inspector2 model): a member's `ec2Configuration` with its `accountId` (`scanMode`
 * always: the model requires it; `activateVMScanner` only when the VM scanner changes), the delegated
 * administrator's own without `accountId` (it reaches every member that inherits it), or a member reset to
 * inherit (`updateConfigurationInheritance.ec2Configuration` INHERIT_FROM_ADMIN, with its `accountId`).
 */
export type ScanConfigurationRequest =
  | { readonly accountId?: string; readonly scanMode: ScanMode; readonly activateVMScanner?: boolean }
  | { readonly accountId: string; readonly inherit: true };

/** An UpdateConfiguration's result: accepted (it reads PENDING until in effect), or Inspector's reason. */
export type ScanConfigurationWriteResult =
  { readonly ok: true } | { readonly ok: false; readonly errorMessage: string; readonly notReached?: true };

/** GetConfiguration's answer, cut to the fields the project reads. */
export function ec2ScanConfigurationOf(response: GetConfigurationResponse): Ec2ScanConfiguration {
  const state = response.ec2Configuration?.scanModeState;
  const vm = response.ec2Configuration?.vmScannerState;
  return {
    ...(state?.scanMode === undefined ? {} : { scanMode: state.scanMode }),
    ...(state?.scanModeStatus === undefined ? {} : { scanModeStatus: state.scanModeStatus }),
    ...(vm === undefined
      ? {}
      : {
          vmScanner: {
            ...(vm.activated === undefined ? {} : { activated: vm.activated }),
            ...(vm.activatedAt === undefined ? {} : { activatedAt: vm.activatedAt.toISOString() }),
            ...(vm.status === undefined ? {} : { status: vm.status }),
          },
        }),
  };
}

const notReached = { error: NOT_REACHED, notReached: true } as const;
/** A call the deadline aborted in flight: the next run reads (or writes) the account again. */
const CUT_OFF = `${NOT_REACHED}: the call was cut off in flight, and the next run reads the account again`;

/**
 * Many members' configurations, one GetConfiguration with `accountId` each, at most
 * SCAN_CONFIGURATION_CONCURRENCY in flight. Never throws: a refused or failed read is that account's
 * `{ error }`; one the budget no longer allows, or its signal cut off, is `{ error, notReached }`.
 */
export async function readMemberConfigurations(
  client: Inspector2Client,
  accountIds: readonly string[],
  budget: CallBudget = UNLIMITED,
): Promise<Map<string, ScanConfigurationRead>> {
  const reads = await mapWithConcurrency(accountIds, SCAN_CONFIGURATION_CONCURRENCY, async (accountId) => {
    if (!budget.canContinue() || budget.signal?.aborted) return notReached;
    try {
      const response = await client.send(new GetConfigurationCommand({ accountId }), { abortSignal: budget.signal });
      return ec2ScanConfigurationOf(response);
    } catch (error) {
      return budget.signal?.aborted ? { error: CUT_OFF, notReached: true as const } : { error: describeError(error) };
    }
  });
  return new Map(accountIds.map((accountId, index) => [accountId, reads[index] as ScanConfigurationRead]));
}

/** One UpdateConfiguration. Never throws: a refusal is `{ ok: false }` with Inspector's reason. */
export async function updateConfiguration(
  client: Inspector2Client,
  request: ScanConfigurationRequest,
  budget: CallBudget = UNLIMITED,
): Promise<ScanConfigurationWriteResult> {
  if (!budget.canContinue() || budget.signal?.aborted)
    return { ok: false, errorMessage: NOT_REACHED, notReached: true };
  const input =
    'inherit' in request
      ? {
          accountId: request.accountId,
          updateConfigurationInheritance: { ec2Configuration: 'INHERIT_FROM_ADMIN' as const },
        }
      : {
          ...(request.accountId === undefined ? {} : { accountId: request.accountId }),
          ec2Configuration: {
            scanMode: request.scanMode,
            ...(request.activateVMScanner === undefined ? {} : { activateVMScanner: request.activateVMScanner }),
          },
        };
  try {
    await client.send(new UpdateConfigurationCommand(input), { abortSignal: budget.signal });
    return { ok: true };
  } catch (error) {
    if (budget.signal?.aborted) return { ok: false, errorMessage: CUT_OFF, notReached: true };
    return { ok: false, errorMessage: describeError(error) };
  }
}
