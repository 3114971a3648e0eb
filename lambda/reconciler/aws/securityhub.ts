import {
  type AwsSecurityFinding,
  type AwsSecurityFindingFilters,
  BatchImportFindingsCommand,
  paginateGetFindings,
  SecurityHubClient,
} from '@aws-sdk/client-securityhub';
import { mapWithConcurrency } from '../batches';
import { type CallBudget, DeadlineReached, UNLIMITED } from '../deadline/budget';
import { describeError } from '../errors/describe-error';
import { type AsffFinding, type AsffResource, findingBytes, MAX_FINDING_BYTES } from '../findings/asff';
import type { ClientSettings } from './clients';
import { pace } from './pacing';

/**
 * Security Hub CSPM, one region: which findings of this product are open (and whether Security Hub is
 * enabled at all), which of some are archived, import these.
 *
 * Limits (Partner Guide, "Guidelines for using the BatchImportFindings API"; User Guide, "Security Hub
 * quotas"): BatchImportFindings takes up to 100 findings, 240 KB a finding and 6 MB a batch, at 10
 * requests a second with a burst of 30 per account and region; GetFindings 3 a second with a burst of 6,
 * at most 100 findings a page (the model's `MaxResults`).
 */

/** The IAM actions this adapter calls: BatchImportFindings on the product ARN, GetFindings (Service Authorization Reference). */
export const SECURITY_HUB_ACTIONS = ['securityhub:BatchImportFindings', 'securityhub:GetFindings'] as const;
export const MAX_FINDINGS_PER_IMPORT = 100;
/** "Up to 6 MB per batch": the request body, counted as 6,000,000 bytes to stay clear of either reading of MB. */
export const MAX_IMPORT_BYTES = 6_000_000;
export const MAX_FINDINGS_PER_PAGE = 100;
/** GetFindings takes "up to 20 filter values" for each attribute (API reference, GetFindings `Filters`). */
export const MAX_FILTER_VALUES = 20;
/**
 * Requests a second per operation. Each bucket holds one second's worth, under the service's burst
 * (30 for BatchImportFindings, 6 for GetFindings): staying under the rate costs nothing at these call
 * counts, running into it costs retries.
 */
export const SECURITY_HUB_REQUESTS_PER_SECOND: Readonly<Record<string, number>> = {
  BatchImportFindings: 10,
  GetFindings: 3,
};
/** Import batches in flight per region; pacing keeps them under the rate. */
const IMPORT_CONCURRENCY = 3;

/**
 * This product's open findings in a region, or that Security Hub is not enabled there. GetFindings says
 * so itself, with InvalidAccessException ("Account … is not subscribed to AWS Security Hub"; the error is
 * in the model's GetFindings errors, the wording as AWS answers it in prowler-cloud/prowler#1143), so no
 * DescribeHub is needed first: one call a region in the steady state.
 */
export type OpenFindings =
  | { readonly enabled: true; readonly findings: AsffFinding[]; readonly unrecognized: number }
  | { readonly enabled: false; readonly reason: string };

export interface ImportFailure {
  readonly id: string;
  /** Security Hub's `ErrorCode` from `FailedFindings`, or the error that failed the whole call. */
  readonly errorCode: string;
  readonly errorMessage: string;
}

export interface ImportResult {
  /** Ids Security Hub accepted. */
  readonly imported: readonly string[];
  /** Ids it refused twice (FailedFindings are retried once), or that no call could carry. */
  readonly failed: readonly ImportFailure[];
  /** Ids not sent, or cut off in flight, because the run's deadline came: the next run sends them again. */
  readonly notReached: readonly string[];
  /**
   * Why a BatchImportFindings call failed as a whole after the SDK's retries (an IAM AccessDeniedException,
   * InvalidAccessException, a 5xx): the region's error, not its findings'. No further batch is sent: the
   * same refusal would meet each. An account without Security Hub CSPM answers per finding instead
   * (`InvalidAccess` in FailedFindings), which `failed` lists.
   */
  readonly refusedWhole?: string;
}

/** Which findings are this product's, in one region. */
export interface FindingsFilter {
  readonly productArn: string;
  readonly generatorId: string;
  readonly awsAccountId: string;
  readonly region: string;
}

/** Everything the findings step asks of Security Hub in one region. */
export interface RegionSecurityHub {
  /** Requests sent so far (retries of one request not counted). */
  readonly calls: number;
  /**
   * This product's ACTIVE findings in the region, every page. With cross-region aggregation, GetFindings
   * in the aggregation region also returns the linked regions' findings (User Guide, "Security Hub
   * quotas"); the product ARN names its region already, and the Region filter says so outright.
   * Not enabled (InvalidAccessException) is an answer; other errors throw, DeadlineReached when the
   * budget runs out between pages.
   */
  openFindings(filter: FindingsFilter, budget?: CallBudget): Promise<OpenFindings>;
  /**
   * Of these Ids, the findings of this product Security Hub holds ARCHIVED: the history of an exception
   * that comes back (its CreatedAt and FirstObservedAt). One GetFindings per 20 Ids (MAX_FILTER_VALUES);
   * none for no Id. Errors throw, as openFindings'.
   */
  archivedFindings(filter: FindingsFilter, ids: readonly string[], budget?: CallBudget): Promise<AsffFinding[]>;
  /** BatchImportFindings in batches within the limits; FailedFindings are retried once, then reported. */
  importFindings(findings: readonly AsffFinding[], budget?: CallBudget): Promise<ImportResult>;
}

/** What GetFindings answers where the account has not enabled Security Hub (see OpenFindings). */
const NOT_ENABLED = 'InvalidAccessException';

export class SecurityHubRegion implements RegionSecurityHub {
  calls = 0;

  constructor(private readonly client: SecurityHubClient) {}

  async openFindings(filter: FindingsFilter, budget: CallBudget = UNLIMITED): Promise<OpenFindings> {
    try {
      const { findings, unrecognized } = await this.getFindings(filtersOf(filter, 'ACTIVE'), budget);
      return { enabled: true, findings, unrecognized };
    } catch (error) {
      if (!(error instanceof DeadlineReached) && error instanceof Error && error.name === NOT_ENABLED) {
        return { enabled: false, reason: describeError(error) };
      }
      throw error;
    }
  }

  async archivedFindings(
    filter: FindingsFilter,
    ids: readonly string[],
    budget: CallBudget = UNLIMITED,
  ): Promise<AsffFinding[]> {
    const found: AsffFinding[] = [];
    for (let start = 0; start < ids.length; start += MAX_FILTER_VALUES) {
      const chunk = ids.slice(start, start + MAX_FILTER_VALUES);
      const { findings } = await this.getFindings(
        { ...filtersOf(filter, 'ARCHIVED'), Id: chunk.map((id) => ({ Comparison: 'EQUALS', Value: id })) },
        budget,
      );
      found.push(...findings);
    }
    return found;
  }

  /** Every page of GetFindings, each counted; DeadlineReached when the budget runs out before a page. */
  private async getFindings(
    filters: AwsSecurityFindingFilters,
    budget: CallBudget,
  ): Promise<{ findings: AsffFinding[]; unrecognized: number }> {
    const findings: AsffFinding[] = [];
    let unrecognized = 0;
    if (!budget.canContinue()) throw new DeadlineReached();
    this.calls += 1;
    try {
      for await (const page of paginateGetFindings(
        { client: this.client, pageSize: MAX_FINDINGS_PER_PAGE },
        { Filters: filters },
        { abortSignal: budget.signal },
      )) {
        for (const finding of page.Findings ?? []) {
          const mine = providerFields(finding);
          if (mine === undefined) unrecognized += 1;
          else findings.push(mine);
        }
        if (page.NextToken === undefined) break;
        // The paginator asks for the next page as soon as this one is handed over: count it, or stop here.
        if (!budget.canContinue()) throw new DeadlineReached();
        this.calls += 1;
      }
    } catch (error) {
      if (budget.signal?.aborted) throw new DeadlineReached();
      throw error;
    }
    return { findings, unrecognized };
  }

  async importFindings(findings: readonly AsffFinding[], budget: CallBudget = UNLIMITED): Promise<ImportResult> {
    // A finding over 240 KB would fail its whole batch's worth of attention: refused here, never sent.
    const tooLarge = findings.filter((finding) => findingBytes(finding) > MAX_FINDING_BYTES);
    const sendable = findings.filter((finding) => findingBytes(finding) <= MAX_FINDING_BYTES);
    const first = await this.send(sendable, budget);
    // Only what Security Hub listed in FailedFindings: a call that failed whole was already retried by the SDK.
    const retry = sendable.filter((finding) => first.refused.has(finding.Id));
    const second = retry.length === 0 ? undefined : await this.send(retry, budget);
    const failed = new Map(first.failedById);
    for (const id of second?.imported ?? []) failed.delete(id);
    for (const id of second?.notReached ?? []) failed.delete(id);
    for (const [id, failure] of second?.failedById ?? []) failed.set(id, failure);
    const refusedWhole = first.refusedWhole ?? second?.refusedWhole;
    return {
      ...(refusedWhole === undefined ? {} : { refusedWhole }),
      imported: [...first.imported, ...(second?.imported ?? [])],
      failed: [
        ...tooLarge.map((finding) => ({
          id: finding.Id,
          errorCode: 'FindingTooLarge',
          errorMessage: `the finding is ${findingBytes(finding)} bytes; Security Hub accepts at most ${MAX_FINDING_BYTES}`,
        })),
        ...failed.values(),
      ],
      notReached: [...first.notReached, ...(second?.notReached ?? [])],
    };
  }

  private async send(
    findings: readonly AsffFinding[],
    budget: CallBudget,
  ): Promise<{
    imported: string[];
    failedById: Map<string, ImportFailure>;
    /** The ids Security Hub listed in FailedFindings. */
    refused: Set<string>;
    notReached: string[];
    refusedWhole?: string;
  }> {
    let refusedWhole: string | undefined;
    const imported: string[] = [];
    const notReached: string[] = [];
    const failedById = new Map<string, ImportFailure>();
    const refused = new Set<string>();
    await mapWithConcurrency(importBatches(findings), IMPORT_CONCURRENCY, async (batch) => {
      const ids = batch.map((finding) => finding.Id);
      if (!budget.canContinue() || budget.signal?.aborted) {
        notReached.push(...ids);
        return;
      }
      if (refusedWhole !== undefined) return;
      this.calls += 1;
      try {
        const response = await this.client.send(
          new BatchImportFindingsCommand({ Findings: batch as AwsSecurityFinding[] }),
          { abortSignal: budget.signal },
        );
        const failures = new Map(
          (response.FailedFindings ?? []).map((failure) => [
            failure.Id ?? '',
            {
              id: failure.Id ?? '',
              errorCode: failure.ErrorCode ?? 'Unknown',
              errorMessage: failure.ErrorMessage ?? '',
            },
          ]),
        );
        for (const id of ids) {
          const failure = failures.get(id);
          if (failure === undefined) imported.push(id);
          else {
            failedById.set(id, failure);
            refused.add(id);
          }
        }
      } catch (error) {
        // Cut off in flight: Security Hub may or may not have taken it; the next run compares again.
        if (budget.signal?.aborted) {
          notReached.push(...ids);
          return;
        }
        refusedWhole ??= describeError(error);
      }
    });
    return { imported, failedById, refused, notReached, ...(refusedWhole === undefined ? {} : { refusedWhole }) };
  }
}

/** The filters that say "this product's findings in this region", in one record state. */
function filtersOf(filter: FindingsFilter, recordState: 'ACTIVE' | 'ARCHIVED'): AwsSecurityFindingFilters {
  const equals = (value: string) => [{ Comparison: 'EQUALS' as const, Value: value }];
  return {
    ProductArn: equals(filter.productArn),
    GeneratorId: equals(filter.generatorId),
    AwsAccountId: equals(filter.awsAccountId),
    Region: equals(filter.region),
    RecordState: equals(recordState),
  };
}

/** Greedy batches of at most 100 findings and 6 MB of request body (the findings, their commas and the envelope). */
export function importBatches(findings: readonly AsffFinding[]): AsffFinding[][] {
  const envelope = Buffer.byteLength(JSON.stringify({ Findings: [] }));
  const batches: AsffFinding[][] = [];
  let current: AsffFinding[] = [];
  let bytes = envelope;
  for (const finding of findings) {
    const size = findingBytes(finding) + (current.length === 0 ? 0 : 1);
    if (current.length > 0 && (current.length >= MAX_FINDINGS_PER_IMPORT || bytes + size > MAX_IMPORT_BYTES)) {
      batches.push(current);
      current = [];
      bytes = envelope;
    }
    bytes += findingBytes(finding) + (current.length === 0 ? 0 : 1);
    current.push(finding);
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/**
 * The provider's fields of a finding as GetFindings returns it: what the product sent, without what
 * Security Hub or people add (Workflow, Note, top-level Severity and Types, ProductFields under "aws/"),
 * so that re-sending it to archive changes nothing else. Undefined when it is not shaped as this product sends.
 */
export function providerFields(finding: AwsSecurityFinding): AsffFinding | undefined {
  const f = finding;
  const severity = f.FindingProviderFields?.Severity;
  const text = f.Remediation?.Recommendation?.Text;
  const url = f.Remediation?.Recommendation?.Url;
  const status = f.Compliance?.Status;
  if (
    f.Id === undefined ||
    f.ProductArn === undefined ||
    f.GeneratorId === undefined ||
    f.AwsAccountId === undefined ||
    f.CreatedAt === undefined ||
    f.UpdatedAt === undefined ||
    f.Title === undefined ||
    f.Description === undefined ||
    f.Resources === undefined ||
    f.ProductFields === undefined ||
    severity?.Label === undefined ||
    text === undefined ||
    url === undefined ||
    (status !== 'FAILED' && status !== 'WARNING' && status !== 'PASSED')
  ) {
    return undefined;
  }
  const resources = f.Resources.map((resource): AsffResource | undefined =>
    resource.Type === undefined || resource.Id === undefined || resource.Region === undefined
      ? undefined
      : {
          Type: resource.Type,
          Id: resource.Id,
          ...(resource.Partition === undefined ? {} : { Partition: resource.Partition }),
          Region: resource.Region,
          ...(resource.Details?.Other === undefined ? {} : { Details: { Other: resource.Details.Other } }),
        },
  );
  if (resources.some((resource) => resource === undefined)) return undefined;
  return {
    SchemaVersion: f.SchemaVersion ?? '2018-10-08',
    Id: f.Id,
    ProductArn: f.ProductArn,
    ProductName: f.ProductName ?? '',
    GeneratorId: f.GeneratorId,
    AwsAccountId: f.AwsAccountId,
    CreatedAt: f.CreatedAt,
    UpdatedAt: f.UpdatedAt,
    FirstObservedAt: f.FirstObservedAt ?? f.CreatedAt,
    LastObservedAt: f.LastObservedAt ?? f.UpdatedAt,
    Title: f.Title,
    Description: f.Description,
    Remediation: { Recommendation: { Text: text, Url: url } },
    ProductFields: Object.fromEntries(Object.entries(f.ProductFields).filter(([key]) => !key.startsWith('aws/'))),
    Resources: resources as AsffResource[],
    Compliance: { Status: status },
    RecordState: f.RecordState === 'ARCHIVED' ? 'ARCHIVED' : 'ACTIVE',
    FindingProviderFields: {
      Severity: { Label: severity.Label, Original: severity.Original ?? severity.Label },
      Types: f.FindingProviderFields?.Types ?? [],
    },
  };
}

/**
 * Paces every request the client sends, retries included, at Security Hub's rate for its operation
 * (SECURITY_HUB_REQUESTS_PER_SECOND; 3 a second for any other). Sits after the SDK's retries and before
 * signing, like pacing.ts's `pace`; a call's abort signal cuts the wait short.
 */
export function paceSecurityHub<C extends { middlewareStack: object }>(
  client: C,
  clock: { now?: () => number; sleep?: (ms: number) => Promise<void> } = {},
): C {
  return pace(client, (operation) => SECURITY_HUB_REQUESTS_PER_SECOND[operation] ?? 3, {
    name: 'securityHubPacing',
    ...clock,
  });
}

/**
 * A Security Hub client for one region, with the settings every client has (clients.ts: the same retries
 * and timeouts) and paced at Security Hub's rates (paceSecurityHub): what Clients.securityHub makes and
 * keeps. Here rather than in clients.ts, so that the SDK client loads with this adapter, which the handler
 * imports only when the findings step runs.
 */
export function createSecurityHubClient(region: string, settings: ClientSettings): SecurityHubClient {
  return paceSecurityHub(new SecurityHubClient({ ...settings, region }));
}
