import { serviceError } from './errors';
import { model } from './model';

/**
 * Security Hub CSPM, REST-JSON, for one account (the delegated administrator) in every region:
 * BatchImportFindings, GetFindings, BatchUpdateFindings, DescribeHub. Requests are already held to the
 * model (local/aws-endpoint/models/securityhub.json); what the model does not state and the docs do is
 * checked here:
 * - BatchImportFindings must be called by the finding's account with its own product ARN, else the whole
 *   request is AccessDeniedException (BatchImportFindings API reference; AWS Support's answer in
 *   prowler-cloud/prowler#867); 100 findings a call (the model), 6 MB a request, 240 KB a finding, and the
 *   API reference's lengths; an update whose UpdatedAt is not after the stored one is ignored; Note,
 *   UserDefinedFields, VerificationState and Workflow are never taken from it; Region is the region
 *   called (User Guide, finding-update-batchimportfindings, asff-required-attributes);
 * - a region where Security Hub is not enabled returns every imported finding in FailedFindings with
 *   InvalidAccess, and answers the other operations with InvalidAccessException;
 * - Workflow.Status goes back to NEW from NOTIFIED or RESOLVED when RecordState goes from ARCHIVED to
 *   ACTIVE or Compliance.Status from PASSED to FAILED, WARNING or NOT_AVAILABLE (finding-workflow-status);
 * - with cross-region aggregation, GetFindings and BatchUpdateFindings in the aggregation region reach
 *   the linked regions' findings too (securityhub_limits, finding-aggregation);
 * - rates per account and region: BatchImportFindings and BatchUpdateFindings 10 a second with a burst
 *   of 30, GetFindings 3 with a burst of 6, the rest 10 with 30 (Security Hub quotas), past them
 *   LimitExceededException (HTTP 429).
 */

type Json = Record<string, unknown>;

export const MAX_FINDING_BYTES = 240_000;
export const MAX_REQUEST_BYTES = 6_000_000;
/** The API reference's lengths, which the model does not carry. */
const MAX_LENGTH: Readonly<Record<string, number>> = { Id: 512, GeneratorId: 512, Title: 256, Description: 1024 };
const MAX_RESOURCES = 32;
const MAX_PRODUCT_FIELDS = 50;
const MAX_PRODUCT_FIELD_KEY = 128;
const MAX_PRODUCT_FIELD_VALUE = 2048;
const MAX_RECOMMENDATION_TEXT = 512;
/** GetFindings: up to 10 attributes, 20 values each (API reference, GetFindings Filters). */
const MAX_FILTER_ATTRIBUTES = 10;
const MAX_FILTER_VALUES = 20;
const MAX_UPDATE_IDENTIFIERS = 100;
const DEFAULT_PAGE = 100;
/** Filters simulated; any other is refused rather than ignored, which would return more than AWS. */
const SIMULATED_FILTERS: Readonly<Record<string, (finding: Json) => unknown>> = {
  Id: (f) => f.Id,
  ProductArn: (f) => f.ProductArn,
  GeneratorId: (f) => f.GeneratorId,
  AwsAccountId: (f) => f.AwsAccountId,
  Region: (f) => f.Region,
  RecordState: (f) => f.RecordState,
  ComplianceStatus: (f) => (f.Compliance as Json | undefined)?.Status,
  WorkflowStatus: (f) => (f.Workflow as Json | undefined)?.Status,
};
/** Severity.Normalized for each label, as Security Hub fills it in when only the label is given (Severity API reference). */
const NORMALIZED: Readonly<Record<string, number>> = { INFORMATIONAL: 0, LOW: 1, MEDIUM: 40, HIGH: 70, CRITICAL: 90 };
const RATES: Readonly<Record<string, { perSecond: number; burst: number }>> = {
  BatchImportFindings: { perSecond: 10, burst: 30 },
  BatchUpdateFindings: { perSecond: 10, burst: 30 },
  GetFindings: { perSecond: 3, burst: 6 },
};
const OTHER_RATE = { perSecond: 10, burst: 30 };

interface Stored {
  finding: Json;
}

/** Security Hub's state for the simulated account, every region. */
export class SimulatedSecurityHub {
  /** Regions where the account has not enabled Security Hub. */
  readonly disabledRegions = new Set<string>();
  /** Cross-region aggregation: GetFindings and BatchUpdateFindings in `region` also reach `linked`. */
  aggregation?: { readonly region: string; readonly linked: readonly string[] };
  /** Hold callers to Security Hub's request rates (on by default). */
  enforceRates = true;
  /** region → `ProductArn Id` → finding, in import order. */
  private readonly findings = new Map<string, Map<string, Stored>>();
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(readonly accountId: string) {}

  /** Every finding stored in `region` (its home region), as GetFindings would return it. */
  findingsIn(region: string): Json[] {
    return [...(this.findings.get(region)?.values() ?? [])].map((stored) => stored.finding);
  }

  /** The finding with this Id in any region, or undefined. */
  finding(id: string): Json | undefined {
    for (const region of this.findings.values()) {
      for (const stored of region.values()) if (stored.finding.Id === id) return stored.finding;
    }
    return undefined;
  }

  productArn(region: string): string {
    return `arn:aws:securityhub:${region}:${this.accountId}:product/${this.accountId}/default`;
  }

  handle(region: string, operation: string, input: Json, body: string, now = Date.now()): Json {
    this.limitRate(region, operation, now);
    switch (operation) {
      case 'DescribeHub':
        this.requireEnabled(region);
        return {
          HubArn: `arn:aws:securityhub:${region}:${this.accountId}:hub/default`,
          SubscribedAt: '2025-01-01T00:00:00.000Z',
          AutoEnableControls: true,
          ControlFindingGenerator: 'SECURITY_CONTROL',
        };
      case 'BatchImportFindings':
        return this.batchImport(region, input, body, now);
      case 'GetFindings':
        this.requireEnabled(region);
        return this.getFindings(region, input);
      case 'BatchUpdateFindings':
        this.requireEnabled(region);
        return this.batchUpdate(region, input, now);
      default:
        throw invalidInput(`Security Hub operation ${operation} is not simulated`);
    }
  }

  private requireEnabled(region: string): void {
    if (this.disabledRegions.has(region)) {
      throw serviceError('securityhub', 'InvalidAccessException', notSubscribed(this.accountId), {
        members: { Code: 'InvalidAccessException' },
      });
    }
  }

  private limitRate(region: string, operation: string, now: number): void {
    if (!this.enforceRates) return;
    const { perSecond, burst } = RATES[operation] ?? OTHER_RATE;
    const key = `${operation}@${region}`;
    const bucket = this.buckets.get(key) ?? { tokens: burst, at: now };
    bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.at) / 1000) * perSecond);
    bucket.at = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens < 1) {
      throw serviceError('securityhub', 'LimitExceededException', 'Rate exceeded', {
        members: { Code: 'LimitExceededException' },
      });
    }
    bucket.tokens -= 1;
  }

  private batchImport(region: string, input: Json, body: string, now: number): Json {
    if (Buffer.byteLength(body, 'utf8') > MAX_REQUEST_BYTES) {
      throw invalidInput(`The request is larger than ${MAX_REQUEST_BYTES} bytes`);
    }
    const findings = (input.Findings ?? []) as Json[];
    const product = this.productArn(region);
    const foreign = findings.find((f) => f.AwsAccountId !== this.accountId || f.ProductArn !== product);
    if (foreign !== undefined) {
      throw serviceError(
        'securityhub',
        'AccessDeniedException',
        `User: arn:aws:sts::${this.accountId}:assumed-role/SecurityAdmin/local is not authorized to perform: securityhub:BatchImportFindings on resource: ${String(foreign.ProductArn)}`,
      );
    }
    const failed: Json[] = [];
    for (const finding of findings) {
      const id = String(finding.Id);
      if (this.disabledRegions.has(region)) {
        failed.push({ Id: id, ErrorCode: 'InvalidAccess', ErrorMessage: notSubscribed(this.accountId) });
        continue;
      }
      const problem = problemOf(finding);
      if (problem !== undefined) {
        failed.push({ Id: id, ErrorCode: 'InvalidInput', ErrorMessage: problem });
        continue;
      }
      this.store(region, finding, now);
    }
    return { FailedCount: failed.length, SuccessCount: findings.length - failed.length, FailedFindings: failed };
  }

  private store(region: string, incoming: Json, now: number): void {
    const findings = this.findings.get(region) ?? new Map<string, Stored>();
    this.findings.set(region, findings);
    const key = `${String(incoming.ProductArn)} ${String(incoming.Id)}`;
    const existing = findings.get(key);
    // Security Hub ignores an update whose UpdatedAt is not after the finding's.
    if (existing && Date.parse(String(incoming.UpdatedAt)) <= Date.parse(String(existing.finding.UpdatedAt))) return;
    const provider = (incoming.FindingProviderFields ?? {}) as Json;
    const severity = (provider.Severity ?? incoming.Severity) as Json;
    const label = String(severity.Label ?? labelOf(Number(severity.Normalized)));
    const providerFields = {
      ...provider,
      Severity: { ...severity, Label: label },
      Types: provider.Types ?? incoming.Types,
    };
    const previous = existing?.finding ?? {};
    const productName = String(incoming.ProductName ?? previous.ProductName ?? 'Default');
    const companyName = String(incoming.CompanyName ?? previous.CompanyName ?? 'Personal');
    const finding: Json = {
      ...withoutCustomerFields(incoming),
      Region: region,
      ProductName: productName,
      CompanyName: companyName,
      // BatchUpdateFindings here sets only Workflow and Note, so the top-level Severity and Types always
      // follow FindingProviderFields (finding-update-batchimportfindings, "Using FindingProviderFields").
      Severity: {
        Label: label,
        Normalized: NORMALIZED[label] ?? 0,
        ...(severity.Original === undefined ? {} : { Original: severity.Original }),
      },
      Types: providerFields.Types,
      FindingProviderFields: providerFields,
      RecordState: incoming.RecordState ?? 'ACTIVE',
      ProcessedAt: new Date(now).toISOString(),
      ProductFields: {
        ...((incoming.ProductFields ?? {}) as Json),
        'aws/securityhub/FindingId': `${String(incoming.ProductArn)}/${String(incoming.Id)}`,
        'aws/securityhub/ProductName': productName,
        'aws/securityhub/CompanyName': companyName,
      },
      Workflow: { Status: workflowAfterImport(previous, incoming) },
      WorkflowState: 'NEW',
      ...pick(previous, ['Note', 'UserDefinedFields', 'VerificationState']),
    };
    findings.set(key, { finding });
  }

  private scopeOf(region: string): Stored[] {
    const regions = this.aggregation?.region === region ? [region, ...this.aggregation.linked] : [region];
    return regions.flatMap((r) => [...(this.findings.get(r)?.values() ?? [])]);
  }

  private getFindings(region: string, input: Json): Json {
    if (input.SortCriteria !== undefined) throw invalidInput('SortCriteria is not simulated');
    const filters = (input.Filters ?? {}) as Record<string, { Value?: string; Comparison?: string }[]>;
    const attributes = Object.entries(filters);
    if (attributes.length > MAX_FILTER_ATTRIBUTES) {
      throw invalidInput(`You can filter by up to ${MAX_FILTER_ATTRIBUTES} finding attributes`);
    }
    for (const [name, values] of attributes) {
      if (SIMULATED_FILTERS[name] === undefined) throw invalidInput(`the filter ${name} is not simulated`);
      if (values.length > MAX_FILTER_VALUES) {
        throw invalidInput(`You can provide up to ${MAX_FILTER_VALUES} filter values for ${name}`);
      }
      const comparison = values.find((v) => v.Comparison !== 'EQUALS' && v.Comparison !== 'NOT_EQUALS');
      if (comparison) throw invalidInput(`the comparison ${String(comparison.Comparison)} is not simulated`);
    }
    const matches = this.scopeOf(region)
      .map((stored) => stored.finding)
      .filter((finding) =>
        attributes.every(([name, values]) => {
          const actual = SIMULATED_FILTERS[name]?.(finding);
          const equals = values.filter((v) => v.Comparison === 'EQUALS');
          const notEquals = values.filter((v) => v.Comparison === 'NOT_EQUALS');
          return (
            (equals.length === 0 || equals.some((v) => v.Value === actual)) &&
            notEquals.every((v) => v.Value !== actual)
          );
        }),
      );
    const max = Number(input.MaxResults ?? DEFAULT_PAGE);
    const start = input.NextToken === undefined ? 0 : Number(input.NextToken);
    if (!Number.isInteger(start) || start < 0 || start > matches.length) {
      throw invalidInput('The NextToken is not valid');
    }
    const end = start + max;
    return { Findings: matches.slice(start, end), ...(end < matches.length ? { NextToken: String(end) } : {}) };
  }

  private batchUpdate(region: string, input: Json, now: number): Json {
    const unsimulated = Object.keys(input).filter((key) => !['FindingIdentifiers', 'Workflow', 'Note'].includes(key));
    if (unsimulated.length > 0)
      throw invalidInput(`BatchUpdateFindings members not simulated: ${unsimulated.join(', ')}`);
    const identifiers = (input.FindingIdentifiers ?? []) as { Id: string; ProductArn: string }[];
    if (identifiers.length > MAX_UPDATE_IDENTIFIERS) {
      throw invalidInput(`BatchUpdateFindings updates up to ${MAX_UPDATE_IDENTIFIERS} findings at a time`);
    }
    const processed: Json[] = [];
    const unprocessed: Json[] = [];
    const scope = this.scopeOf(region);
    for (const identifier of identifiers) {
      const stored = scope.find(
        (s) => s.finding.Id === identifier.Id && s.finding.ProductArn === identifier.ProductArn,
      );
      if (stored === undefined) {
        unprocessed.push({
          FindingIdentifier: identifier,
          ErrorCode: 'FindingNotFound',
          ErrorMessage: 'Finding not found',
        });
        continue;
      }
      // A customer's update does not change UpdatedAt (BatchUpdateFindings API reference).
      const workflow = input.Workflow as { Status?: string } | undefined;
      if (workflow?.Status !== undefined) stored.finding.Workflow = { Status: workflow.Status };
      const note = input.Note as { Text: string; UpdatedBy: string } | undefined;
      if (note !== undefined) stored.finding.Note = { ...note, UpdatedAt: new Date(now).toISOString() };
      processed.push(identifier);
    }
    return { ProcessedFindings: processed, UnprocessedFindings: unprocessed };
  }
}

function notSubscribed(accountId: string): string {
  return `Account ${accountId} is not subscribed to AWS Security Hub`;
}

function invalidInput(message: string) {
  return serviceError('securityhub', 'InvalidInputException', message, { members: { Code: 'InvalidInputException' } });
}

function labelOf(normalized: number): string {
  if (normalized >= 90) return 'CRITICAL';
  if (normalized >= 70) return 'HIGH';
  if (normalized >= 40) return 'MEDIUM';
  if (normalized >= 1) return 'LOW';
  return 'INFORMATIONAL';
}

/** What BatchImportFindings refuses in one finding, beyond the model: the documented limits and required attributes. */
function problemOf(finding: Json): string | undefined {
  const bytes = Buffer.byteLength(JSON.stringify(finding), 'utf8');
  if (bytes > MAX_FINDING_BYTES) return `The finding is ${bytes} bytes; the maximum is ${MAX_FINDING_BYTES}`;
  if (finding.SchemaVersion !== '2018-10-08') return `SchemaVersion must be 2018-10-08`;
  for (const [name, max] of Object.entries(MAX_LENGTH)) {
    const value = finding[name];
    if (typeof value === 'string' && value.length > max) return `${name} is longer than ${max} characters`;
  }
  const resources = (finding.Resources ?? []) as unknown[];
  if (resources.length < 1 || resources.length > MAX_RESOURCES)
    return `Resources must hold 1 to ${MAX_RESOURCES} items`;
  const fields = Object.entries((finding.ProductFields ?? {}) as Record<string, string>);
  if (fields.length > MAX_PRODUCT_FIELDS) return `ProductFields holds more than ${MAX_PRODUCT_FIELDS} pairs`;
  const badField = fields.find(
    ([key, value]) => key.length > MAX_PRODUCT_FIELD_KEY || value.length > MAX_PRODUCT_FIELD_VALUE,
  );
  if (badField) return `ProductFields ${badField[0]} is too long`;
  if (fields.some(([key]) => key.startsWith('aws/'))) return 'ProductFields keys under "aws/" are reserved for AWS';
  const text = ((finding.Remediation as Json | undefined)?.Recommendation as Json | undefined)?.Text;
  if (typeof text === 'string' && text.length > MAX_RECOMMENDATION_TEXT) {
    return `Remediation.Recommendation.Text is longer than ${MAX_RECOMMENDATION_TEXT} characters`;
  }
  const provider = (finding.FindingProviderFields ?? {}) as Json;
  const severity = (provider.Severity ?? finding.Severity) as Json | undefined;
  if (severity?.Label === undefined && severity?.Normalized === undefined) {
    return 'Severity needs a Label or Normalized, in FindingProviderFields or at the top level';
  }
  const types = (provider.Types ?? finding.Types) as unknown[] | undefined;
  if (types === undefined || types.length === 0)
    return 'Types is required, in FindingProviderFields or at the top level';
  for (const name of ['CreatedAt', 'UpdatedAt', 'FirstObservedAt', 'LastObservedAt']) {
    const value = finding[name];
    if (value !== undefined && Number.isNaN(Date.parse(String(value)))) return `${name} is not a timestamp`;
  }
  return undefined;
}

/** Security Hub keeps these as customers set them: BatchImportFindings content for them is ignored. */
const CUSTOMER_FIELDS = ['Note', 'UserDefinedFields', 'VerificationState', 'Workflow', 'WorkflowState'];

function withoutCustomerFields(finding: Json): Json {
  return Object.fromEntries(Object.entries(finding).filter(([key]) => !CUSTOMER_FIELDS.includes(key)));
}

function pick(source: Json, names: readonly string[]): Json {
  return Object.fromEntries(names.filter((name) => source[name] !== undefined).map((name) => [name, source[name]]));
}

/** NEW for a new finding; a person's status otherwise, unless the finding came back from ARCHIVED or from PASSED. */
function workflowAfterImport(previous: Json, incoming: Json): string {
  const status = (previous.Workflow as Json | undefined)?.Status as string | undefined;
  if (status === undefined) return 'NEW';
  const reopened =
    (previous.RecordState === 'ARCHIVED' && (incoming.RecordState ?? 'ACTIVE') === 'ACTIVE') ||
    ((previous.Compliance as Json | undefined)?.Status === 'PASSED' &&
      ['FAILED', 'WARNING', 'NOT_AVAILABLE'].includes(String((incoming.Compliance as Json | undefined)?.Status)));
  return reopened && (status === 'NOTIFIED' || status === 'RESOLVED') ? 'NEW' : status;
}

/** The Security Hub operations by HTTP method and path, from the model. */
export const SECURITY_HUB_ROUTES: Readonly<Record<string, string>> = Object.fromEntries(
  Object.values(model('securityhub').operations).map((operation) => [
    `${operation.http?.method} ${operation.http?.requestUri}`,
    operation.name,
  ]),
);
