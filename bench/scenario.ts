import { EMPTY_LEDGER, type RunSummary } from '../lambda/reconciler';
import { LocalAwsEndpoint } from '../local/aws-endpoint/server';
import { type DeployedFunction, invokeBundleMeasured } from '../local/bundle';
import { SimulatedOrganization } from '../local/simulated-organization';
import { type Limits, lowerBounds, type Operation, type RunShape, runFloor, type SecurityHubOperation } from './floor';

/** Seventeen regions where Inspector runs, in the order a scenario takes them. */
export const REGIONS = [
  'us-east-1',
  'eu-west-1',
  'ap-southeast-2',
  'us-east-2',
  'us-west-1',
  'us-west-2',
  'ca-central-1',
  'eu-west-2',
  'eu-west-3',
  'eu-central-1',
  'eu-north-1',
  'eu-south-1',
  'ap-south-1',
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-southeast-1',
  'sa-east-1',
] as const;

/** The policy parameter, by the stack's default name (lib/config.ts). */
export const POLICY_PARAMETER = '/deep-inspection-reconciler/policy';
/** The deactivation ledger, named after the policy parameter as the stack names it. */
export const LEDGER_PARAMETER = `${POLICY_PARAMETER}-guardrail-ledger`;

export interface ScenarioSettings {
  readonly accounts: number;
  readonly regions: number;
  /** Added by the endpoint to every call, in milliseconds. */
  readonly latencyMs: number;
  /** Requests a second the endpoint allows per operation and region (Organizations: per operation). */
  readonly ratePerSecond: number;
  /** Organizations' own rate per operation, when lower (its documented limits are lower than Inspector's). */
  readonly organizationsRatePerSecond?: number;
  /**
   * V8's heap budget. `lambda`: a quarter of the function's memory, what V8 gives itself on a host
   * of that size, as in Lambda's microVM. `host`: V8's default on the machine running the benchmark
   * (a quarter of its RAM), which lets garbage pile up far past what Lambda would allow.
   * @default 'lambda'
   */
  readonly heap?: 'lambda' | 'host';
}

export interface OperationCount {
  /** Requests the endpoint accepted. */
  readonly calls: number;
  readonly lowerBound: number;
  /** Requests answered with a throttling error, and retried by the SDK. */
  readonly throttled: number;
}

export interface RunMeasurement {
  /** The handler's duration, from invocation to answer. */
  readonly wallSeconds: number;
  readonly floorSeconds: number;
  readonly operations: Record<Operation, OperationCount>;
  /** Accepted calls over the lower bound, all operations together. */
  readonly callRatio: number;
  readonly throttled: number;
  /** Calls to an operation the lower bound does not list: should be none. */
  readonly unexpectedCalls: Record<string, number>;
  /** The findings step's calls against their lower bound, when the run had one (bench/findings.ts). */
  readonly securityHub?: Record<SecurityHubOperation, OperationCount>;
  readonly writeCalls: number;
  readonly peakRssMiB: number;
  readonly initMs: number;
  readonly totals: RunSummary['totals'];
}

export interface ScenarioResult {
  readonly settings: ScenarioSettings;
  /** Every account DEACTIVATED, the policy says ACTIVATED: every account in every region changes. */
  readonly worstCase: RunMeasurement;
  /** The same organization again, already as the policy says: nothing to change. */
  readonly steadyState: RunMeasurement;
  /** After the first run every account in every region is ACTIVATED, and none failed. */
  readonly finalStateMatchesPolicy: boolean;
  /** Responses that departed from AWS's models (checked up to 1,000 accounts). */
  readonly responseViolations: number;
  readonly secondRunWrites: number;
}

/**
 * An organization where every account is ACTIVE and an Inspector member with EC2 scanning on in the first
 * `settings.regions` regions, with deep inspection ACTIVATED in the share `activated` of them (0 to 1).
 */
export function uniformOrganization(settings: ScenarioSettings, activated: number): SimulatedOrganization {
  return SimulatedOrganization.generate({
    accounts: settings.accounts,
    regions: REGIONS.slice(0, settings.regions),
    depth: 1,
    unitsPerLevel: 4,
    closed: 0,
    nonMembers: 0,
    ec2ScanningOff: 0,
    activated,
  });
}

/** The worst case: every account as uniformOrganization has it, and deep inspection off everywhere. */
export function worstCaseOrganization(settings: ScenarioSettings): SimulatedOrganization {
  return uniformOrganization(settings, 0);
}

export function lambdaOldSpaceMiB(fn: DeployedFunction): number {
  return Math.floor(fn.memoryMiB / 4);
}

/**
 * The environment the stack deploys (NODE_OPTIONS with source maps, log level), then the endpoint's,
 * with V8's heap as Lambda's microVM gives it (or the host's) and the function paced to the rate the
 * endpoint enforces (its shipped default is 10).
 */
export function benchEnvironment(
  fn: DeployedFunction,
  endpoint: LocalAwsEndpoint,
  options: {
    readonly region: string;
    readonly queueUrl: string;
    readonly ratePerSecond: number;
    readonly organizationsRatePerSecond?: number;
    readonly heap?: 'lambda' | 'host';
  },
): Record<string, string> {
  const heapBudget = options.heap === 'host' ? '' : ` --max-old-space-size=${lambdaOldSpaceMiB(fn)}`;
  return {
    ...fn.environment,
    NODE_OPTIONS: `${fn.environment.NODE_OPTIONS ?? ''}${heapBudget}`.trim(),
    ...endpoint.environment(),
    AWS_REGION: options.region,
    POLICY_PARAMETER_NAME: POLICY_PARAMETER,
    GUARDRAIL_LEDGER_PARAMETER_NAME: LEDGER_PARAMETER,
    FAILED_ACCOUNTS_QUEUE_URL: options.queueUrl,
    ORGANIZATIONS_REQUESTS_PER_SECOND: String(options.organizationsRatePerSecond ?? options.ratePerSecond),
    INSPECTOR_REQUESTS_PER_SECOND: String(options.ratePerSecond),
  };
}

/** Runs the bundled function twice against the local endpoint: the worst case, then the steady state. */
export async function runScenario(fn: DeployedFunction, settings: ScenarioSettings): Promise<ScenarioResult> {
  const regions = REGIONS.slice(0, settings.regions);
  const organization = worstCaseOrganization(settings);
  const endpoint = await LocalAwsEndpoint.start(organization);
  // Checking 170,000 accounts' answers against the models would take the CPU the function is timed on;
  // the conformance suite and the end-to-end tests check them, and the harness test checks these.
  endpoint.checkResponses = settings.accounts <= 1_000;
  try {
    const queueUrl = endpoint.createQueue('failed-accounts');
    const policy = { version: 1, default: 'ACTIVATED', regions };
    endpoint.state.parameters.set(POLICY_PARAMETER, { value: JSON.stringify(policy), version: 1 });
    // The empty ledger the first deploy creates (lib/guardrail-ledger.ts).
    endpoint.state.parameters.set(LEDGER_PARAMETER, { value: EMPTY_LEDGER, version: 1 });
    const env = benchEnvironment(fn, endpoint, {
      region: regions[0] as string,
      queueUrl,
      ratePerSecond: settings.ratePerSecond,
      ...(settings.organizationsRatePerSecond
        ? { organizationsRatePerSecond: settings.organizationsRatePerSecond }
        : {}),
      heap: settings.heap ?? 'lambda',
    });
    endpoint.faults = {
      latencyMs: settings.latencyMs,
      rateLimitPerSecond: settings.ratePerSecond,
      ...(settings.organizationsRatePerSecond
        ? { organizationsRateLimitPerSecond: settings.organizationsRatePerSecond }
        : {}),
    };
    const limits = {
      perSecond: settings.ratePerSecond,
      latency: settings.latencyMs / 1000,
      ...(settings.organizationsRatePerSecond ? { organizationsPerSecond: settings.organizationsRatePerSecond } : {}),
    };
    const measure = async (shape: Omit<RunShape, 'failures'>): Promise<RunMeasurement> => {
      endpoint.resetCounters();
      const invocation = await invokeBundleMeasured(fn.bundle, {}, organization.delegatedAdminAccountId, env);
      const summary = invocation.result as RunSummary;
      return measurement(endpoint, invocation, summary, { ...shape, failures: summary.totals.failed }, limits);
    };

    const shape = { accounts: settings.accounts, regions: settings.regions };
    const worstCase = await measure({
      ...shape,
      memberChangesPerRegion: settings.accounts - 1,
      ownAccountChanges: true,
    });
    const finalStateMatchesPolicy =
      worstCase.totals.failed === 0 &&
      regions.every((region) =>
        [...organization.deepInspectionStates(region, { eventually: true }).values()].every(
          (state) => state === 'ACTIVATED',
        ),
      );
    // Inspector settles updates asynchronously, in seconds: the steady state is measured once nothing reads PENDING.
    endpoint.settleNow();
    const steadyState = await measure({ ...shape, memberChangesPerRegion: 0, ownAccountChanges: false });
    return {
      settings,
      worstCase,
      steadyState,
      finalStateMatchesPolicy,
      secondRunWrites: steadyState.writeCalls,
      responseViolations: endpoint.violations.length,
    };
  } finally {
    await endpoint.close();
  }
}

/**
 * One run's calls against their lower bounds, its time against its floor. With `findings`, the findings
 * step's Security Hub calls are counted against theirs (not as unexpected), and its floor added.
 */
export function measurement(
  endpoint: LocalAwsEndpoint,
  invocation: { runMs: number; initMs: number; peakRssKiB: number },
  summary: RunSummary,
  shape: RunShape,
  limits: Limits,
  findings?: { readonly bounds: Record<SecurityHubOperation, number>; readonly floorSeconds: number },
): RunMeasurement {
  const bounds = lowerBounds(shape);
  // The endpoint counts `service.Operation` and `service.Operation@region`; the totals are enough here.
  const byOperation = new Map<string, { requests: number; throttled: number }>();
  for (const [key, requests] of endpoint.calls) {
    if (key.includes('@')) continue;
    byOperation.set(key.split('.')[1] as string, { requests, throttled: endpoint.throttledBy.get(key) ?? 0 });
  }
  const operations = Object.fromEntries(
    (Object.keys(bounds) as Operation[]).map((operation) => {
      const { requests, throttled } = byOperation.get(operation) ?? { requests: 0, throttled: 0 };
      return [operation, { calls: requests - throttled, lowerBound: bounds[operation], throttled }];
    }),
  ) as Record<Operation, OperationCount>;
  const securityHub =
    findings === undefined
      ? undefined
      : (Object.fromEntries(
          (Object.keys(findings.bounds) as SecurityHubOperation[]).map((operation) => {
            const { requests, throttled } = byOperation.get(operation) ?? { requests: 0, throttled: 0 };
            return [operation, { calls: requests - throttled, lowerBound: findings.bounds[operation], throttled }];
          }),
        ) as Record<SecurityHubOperation, OperationCount>);
  const unexpectedCalls = Object.fromEntries(
    [...byOperation]
      .filter(([operation]) => !(operation in bounds) && !(operation in (findings?.bounds ?? {})))
      .map(([operation, { requests }]) => [operation, requests]),
  );
  const counted = [...Object.values(operations), ...Object.values(securityHub ?? {})];
  const calls = counted.reduce((sum, count) => sum + count.calls, 0);
  const bound = counted.reduce((sum, count) => sum + count.lowerBound, 0);
  const wallSeconds = invocation.runMs / 1000;
  const floorSeconds = runFloor(bounds, shape.regions, limits) + (findings?.floorSeconds ?? 0);
  return {
    wallSeconds,
    floorSeconds,
    operations,
    callRatio: (calls + Object.values(unexpectedCalls).reduce((sum, count) => sum + count, 0)) / bound,
    throttled: endpoint.throttled,
    unexpectedCalls,
    ...(securityHub === undefined ? {} : { securityHub }),
    writeCalls: endpoint.writeCount(),
    peakRssMiB: invocation.peakRssKiB / 1024,
    initMs: invocation.initMs,
    totals: summary.totals,
  };
}
