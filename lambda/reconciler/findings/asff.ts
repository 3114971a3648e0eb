import { createHash } from 'node:crypto';
import type { PolicyException, RuleException, RuleExceptionReason } from './exception';
import { ACCOUNT_TEXT, URL } from './asff-text';

/**
 * Builds AWS Security Finding Format (ASFF) findings from policy exceptions. Pure: the time is passed in.
 *
 * Sources: Security Hub User Guide, "Required top-level ASFF attributes" (asff-required-attributes),
 * "BatchImportFindings for finding providers" (finding-update-batchimportfindings), "Integrating
 * Security Hub CSPM with custom products" (securityhub-custom-providers), "Types taxonomy for ASFF";
 * API reference `AwsSecurityFinding` (the lengths below; botocore's model states none of them);
 * Partner Guide "Guidelines for using the BatchImportFindings API" (240 KB a finding).
 */

export const SCHEMA_VERSION = '2018-10-08';
/** This product's generator: GetFindings filters on it, so it never changes. */
export const GENERATOR_ID = 'deep-inspection-reconciler';
/** A custom integration may name itself (securityhub-custom-providers); the console filters on it. */
export const PRODUCT_NAME = 'Deep Inspection Reconciler';
/** The ASFF types taxonomy: a configuration check against the organization's own practice. */
export const FINDING_TYPES = ['Software and Configuration Checks/AWS Security Best Practices'] as const;

/** API reference `AwsSecurityFinding` and `Recommendation` lengths, in characters. */
export const MAX_TITLE = 256;
export const MAX_DESCRIPTION = 1024;
export const MAX_ID = 512;
export const MAX_RECOMMENDATION_TEXT = 512;
/** ProductFields: up to 50 key-value pairs, keys up to 128 characters, values up to 2,048. */
export const MAX_PRODUCT_FIELDS = 50;
export const MAX_PRODUCT_FIELD_VALUE = 2048;
/** A resource's `Details.Other`: values of fewer than 1,024 characters (asff-resourcedetails-other). */
export const MAX_OTHER_VALUE = 1023;
/** "Up to 240 KB per finding": counted in bytes of the JSON sent, as 240,000 to stay clear of either reading of KB. */
export const MAX_FINDING_BYTES = 240_000;

/**
 * ProductFields keys. The "aws/" prefix is reserved for AWS; these keep one stable prefix across
 * deployments (rather than the account-specific company id), so an automation rule or an EventBridge
 * pattern written once matches every deployment's findings.
 */
export const FIELD = {
  kind: 'DeepInspectionReconciler/Kind',
  reason: 'DeepInspectionReconciler/Reason',
  rule: 'DeepInspectionReconciler/Rule',
  accountId: 'DeepInspectionReconciler/AccountId',
  desired: 'DeepInspectionReconciler/Desired',
  detail: 'DeepInspectionReconciler/Detail',
  /** A digest of what makes the exception what it is: a finding is re-imported only when it changes. */
  fingerprint: 'DeepInspectionReconciler/Fingerprint',
  /** The number of accounts a rule finding concerns, and how many its lists leave out. */
  accountCount: 'DeepInspectionReconciler/AccountCount',
  accountsOmitted: 'DeepInspectionReconciler/AccountsOmitted',
  /** `…/Accounts/0`, `…/Accounts/1`, …: the accounts of a rule finding, comma-separated. */
  accounts: 'DeepInspectionReconciler/Accounts',
} as const;

/** The ASFF this product sends: the provider's fields only (never Workflow, Note, UserDefinedFields, VerificationState). */
export interface AsffFinding {
  readonly SchemaVersion: string;
  readonly Id: string;
  readonly ProductArn: string;
  readonly ProductName: string;
  readonly GeneratorId: string;
  readonly AwsAccountId: string;
  readonly CreatedAt: string;
  readonly UpdatedAt: string;
  readonly FirstObservedAt: string;
  readonly LastObservedAt: string;
  readonly Title: string;
  readonly Description: string;
  readonly Remediation: { readonly Recommendation: { readonly Text: string; readonly Url: string } };
  readonly ProductFields: Readonly<Record<string, string>>;
  readonly Resources: readonly AsffResource[];
  readonly Compliance: { readonly Status: 'FAILED' | 'WARNING' | 'PASSED' };
  readonly RecordState: 'ACTIVE' | 'ARCHIVED';
  readonly FindingProviderFields: {
    readonly Severity: {
      readonly Label: 'INFORMATIONAL' | 'LOW' | 'MEDIUM' | 'HIGH' | 'CRITICAL';
      readonly Original: string;
    };
    readonly Types: readonly string[];
  };
}

export interface AsffResource {
  readonly Type: string;
  readonly Id: string;
  readonly Partition?: string;
  readonly Region: string;
  readonly Details?: { readonly Other: Readonly<Record<string, string>> };
}

/** The partition of a region's ARNs: aws, aws-cn, aws-us-gov, aws-iso, aws-iso-b. */
export function arnPartitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  if (region.startsWith('us-isob-')) return 'aws-iso-b';
  if (region.startsWith('us-iso-')) return 'aws-iso';
  return 'aws';
}

/** Security Hub's `Partition` enum spells the ISO partitions its own way (the model's `Partition` shape). */
const RESOURCE_PARTITION: Record<string, string> = {
  aws: 'aws',
  'aws-cn': 'aws-cn',
  'aws-us-gov': 'aws-us-gov',
  'aws-iso': 'aws-us-iso',
  'aws-iso-b': 'aws-us-iso-b',
};

/** The default product ARN of a custom integration: `arn:<partition>:securityhub:<region>:<account>:product/<account>/default`. */
export function productArn(partition: string, region: string, accountId: string): string {
  return `arn:${partition}:securityhub:${region}:${accountId}:product/${accountId}/default`;
}

/** Whose findings these are and when: the caller is the delegated administrator, the only account that may import them. */
export interface FindingContext {
  readonly partition: string;
  /** The account the function runs in: custom integrations import only findings whose AwsAccountId is the caller. */
  readonly ownAccountId: string;
  /** This import's time, ISO 8601 with milliseconds and Z (API reference "Timestamps"). */
  readonly now: string;
  /** An existing finding's: kept, so the record stays the one people have been working on. */
  readonly createdAt?: string;
  readonly firstObservedAt?: string;
}

/**
 * The finding's Id: the same exception always gets the same Id, so a re-import updates it (Security
 * Hub matches on Id and ProductArn). Account facts are keyed by account, region and reason, so a new
 * reason for the same account is a new finding and the old one is archived; rule facts by rule and region.
 */
export function findingId(exception: PolicyException): string {
  return exception.kind === 'ACCOUNT'
    ? `${GENERATOR_ID}/${exception.region}/account/${exception.accountId}/${exception.reason}`
    : ruleFindingId(exception.region, exception.rule, exception.reason);
}

/** The `Id` of a rule's finding for `reason` in `region`: the rule's exact name, not its display in ProductFields. */
export function ruleFindingId(region: string, rule: string, reason: RuleExceptionReason): string {
  return `${GENERATOR_ID}/${region}/rule/${ruleKey(rule)}/${reason}`;
}

/** A rule's name as it appears in an Id: readable, or a digest when encoded it would be long (an Id holds 512 characters, a resource Id 256). */
function ruleKey(rule: string): string {
  const encoded = encodeURIComponent(rule);
  return encoded.length <= 200 ? encoded : `sha256-${createHash('sha256').update(rule, 'utf8').digest('hex')}`;
}

/**
 * A digest of what makes the exception what it is, and nothing that changes without it changing:
 * not the time, not the policy parameter's version, not Inspector's wording of an error.
 */
export function fingerprintOf(exception: PolicyException): string {
  const facts =
    exception.kind === 'ACCOUNT'
      ? [
          exception.reason,
          exception.accountId,
          exception.rule,
          exception.desired,
          exception.detail,
          // Appended only when known: findings without a cause keep the fingerprint they had.
          ...(exception.ec2ScanningOff === undefined ? [] : [exception.ec2ScanningOff]),
          ...(exception.scanTarget === undefined ? [] : [exception.scanTarget]),
        ]
      : [
          exception.reason,
          exception.rule,
          exception.to,
          exception.expires,
          exception.owner,
          exception.ruleReason,
          exception.accounts,
        ];
  const canonical = JSON.stringify([exception.kind, exception.region, exception.severity, exception.status, ...facts]);
  return createHash('sha256').update(canonical, 'utf8').digest('hex');
}

/**
 * The entries whose value is not empty: Security Hub's model types ProductFields and Details.Other values
 * as NonEmptyString (`.*\S.*`), and one empty value makes it refuse the finding. Text that is blank once
 * on one line (truncate) is left out rather than sent.
 */
function withoutBlanks(record: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => /\S/u.test(value)));
}

/** Cuts `text` to `max` characters, ending in an ellipsis when cut; one line (the model's strings match `.*\S.*`). */
export function truncate(text: string, max: number): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length <= max ? line : `${line.slice(0, max - 1).trimEnd()}…`;
}

/** Builds the finding for `exception`, ACTIVE, with its compliance status. */
export function buildFinding(exception: PolicyException, context: FindingContext): AsffFinding {
  const { partition, ownAccountId, now } = context;
  const region = exception.region;
  const createdAt = context.createdAt ?? now;
  const common = {
    SchemaVersion: SCHEMA_VERSION,
    Id: findingId(exception),
    ProductArn: productArn(partition, region, ownAccountId),
    ProductName: PRODUCT_NAME,
    GeneratorId: GENERATOR_ID,
    AwsAccountId: ownAccountId,
    CreatedAt: createdAt,
    UpdatedAt: now,
    FirstObservedAt: context.firstObservedAt ?? createdAt,
    LastObservedAt: now,
    Compliance: { Status: exception.status },
    RecordState: 'ACTIVE' as const,
    FindingProviderFields: {
      Severity: { Label: exception.severity, Original: exception.severity },
      Types: [...FINDING_TYPES],
    },
  };
  const resourcePartition = RESOURCE_PARTITION[partition];
  const where = { ...(resourcePartition === undefined ? {} : { Partition: resourcePartition }), Region: region };
  if (exception.kind === 'ACCOUNT') {
    const text = ACCOUNT_TEXT[exception.reason];
    return {
      ...common,
      Title: truncate(text.title(exception), MAX_TITLE),
      Description: truncate(text.description(exception), MAX_DESCRIPTION),
      Remediation: {
        Recommendation: {
          Text: truncate(
            typeof text.remediation === 'string' ? text.remediation : text.remediation(exception),
            MAX_RECOMMENDATION_TEXT,
          ),
          Url: text.url,
        },
      },
      ProductFields: withoutBlanks({
        [FIELD.kind]: 'ACCOUNT',
        [FIELD.reason]: exception.reason,
        [FIELD.accountId]: exception.accountId,
        ...(exception.rule === undefined ? {} : { [FIELD.rule]: truncate(exception.rule, MAX_PRODUCT_FIELD_VALUE) }),
        ...(exception.desired === undefined ? {} : { [FIELD.desired]: exception.desired }),
        ...(exception.scanTarget === undefined
          ? {}
          : { [FIELD.desired]: truncate(exception.scanTarget, MAX_PRODUCT_FIELD_VALUE) }),
        ...(exception.detail === undefined
          ? {}
          : { [FIELD.detail]: truncate(exception.detail, MAX_PRODUCT_FIELD_VALUE) }),
        [FIELD.fingerprint]: fingerprintOf(exception),
      }),
      // As Security Hub's own account-level controls name an account (sample control findings, Account.1).
      Resources: [{ Type: 'AwsAccount', Id: `AWS::::Account:${exception.accountId}`, ...where }],
    };
  }
  return { ...common, ...ruleContent(exception, where) };
}

/** The fields of a rule finding: its accounts are listed in ProductFields as far as the limits allow, and counted. */
function ruleContent(
  exception: RuleException,
  where: { Partition?: string; Region: string },
): Pick<AsffFinding, 'Title' | 'Description' | 'Remediation' | 'ProductFields' | 'Resources'> {
  const { rule, accounts, region } = exception;
  const count = accounts.length;
  const plural = count === 1 ? 'account' : 'accounts';
  const fixed: Record<string, string> = {
    [FIELD.kind]: 'RULE',
    [FIELD.reason]: exception.reason,
    [FIELD.rule]: truncate(rule, MAX_PRODUCT_FIELD_VALUE),
    ...(exception.to === undefined ? {} : { [FIELD.desired]: exception.to }),
    [FIELD.accountCount]: String(count),
    [FIELD.fingerprint]: fingerprintOf(exception),
  };
  // Room left for the lists: 50 pairs in all, two kept for AccountsOmitted and margin.
  const { lists, listed } = accountLists(accounts, MAX_PRODUCT_FIELDS - Object.keys(fixed).length - 2);
  const omitted = count - listed;
  const named = accounts.slice(0, 20).join(', ') + (count > 20 ? `, and ${count - 20} more` : '');
  const blank = (text: string | undefined) => text === undefined || !/\S/u.test(text);
  const owner = blank(exception.owner) ? '' : ` Owner: ${exception.owner}.`;
  const why = blank(exception.ruleReason) ? '' : ` Reason: ${exception.ruleReason}.`;
  const texts =
    exception.reason === 'REPORT_ONLY_MISMATCH'
      ? {
          title: `Report-only rule "${rule}" would ${exception.to === 'ACTIVATED' ? 'activate' : 'deactivate'} deep inspection in ${count} ${plural} in ${region}`,
          description: `The rule "${rule}" is report-only: it decides ${count} ${plural} in ${region} whose deep inspection is not ${exception.to ?? 'as it says'}, and the reconciler writes nothing for them. Accounts: ${named}.`,
          remediation: `Decide whether the rule should be enforced: set its enforcement to "enforce" to apply it, or change the rule so that it says what these accounts should be.`,
          url: URL.deepInspection,
        }
      : {
          title: `Policy rule "${rule}" expires on ${exception.expires} and decides ${count} ${plural} in ${region}`,
          description: `The rule "${rule}" matches through ${exception.expires} (UTC); after that its ${count} ${plural} in ${region} fall to the rules below it or the default.${owner}${why} Accounts: ${named}.`,
          remediation: `Renew the exception by moving the rule's expires date, or let it lapse; either way, check what the rules below it or the default would set for its accounts.`,
          url: URL.deepInspection,
        };
  const details = withoutBlanks({
    rule: truncate(rule, MAX_OTHER_VALUE),
    ...(exception.expires === undefined ? {} : { expires: exception.expires }),
    ...(exception.owner === undefined ? {} : { owner: truncate(exception.owner, MAX_OTHER_VALUE) }),
    ...(exception.ruleReason === undefined ? {} : { reason: truncate(exception.ruleReason, MAX_OTHER_VALUE) }),
  });
  return {
    Title: truncate(texts.title, MAX_TITLE),
    Description: truncate(texts.description, MAX_DESCRIPTION),
    Remediation: { Recommendation: { Text: truncate(texts.remediation, MAX_RECOMMENDATION_TEXT), Url: texts.url } },
    ProductFields: withoutBlanks({
      ...fixed,
      ...lists,
      ...(omitted > 0 ? { [FIELD.accountsOmitted]: String(omitted) } : {}),
    }),
    // The rule itself is what the finding is about; ASFF has no type for it, hence Other (asff-resourcedetails-other).
    Resources: [
      {
        Type: 'Other',
        Id: `${GENERATOR_ID}/policy/rule/${ruleKey(rule)}`,
        ...where,
        Details: { Other: details },
      },
    ],
  };
}

/** Comma-separated account lists, each value within 2,048 characters, in at most `slots` ProductFields. */
function accountLists(accounts: readonly string[], slots: number): { lists: Record<string, string>; listed: number } {
  const lists: Record<string, string> = {};
  let listed = 0;
  let current: string[] = [];
  let length = 0;
  let slot = 0;
  const flush = () => {
    if (current.length === 0) return;
    lists[`${FIELD.accounts}/${slot}`] = current.join(',');
    slot += 1;
    current = [];
    length = 0;
  };
  for (const account of accounts) {
    if (current.length > 0 && length + 1 + account.length > MAX_PRODUCT_FIELD_VALUE) flush();
    if (slot >= slots) break;
    length += (current.length === 0 ? 0 : 1) + account.length;
    current.push(account);
    listed += 1;
  }
  flush();
  return { lists, listed };
}

/** The same finding, resolved: Compliance PASSED and RecordState ARCHIVED, updated now. */
export function archivedFinding(finding: AsffFinding, now: string): AsffFinding {
  return { ...finding, UpdatedAt: now, Compliance: { Status: 'PASSED' }, RecordState: 'ARCHIVED' };
}

/** The size Security Hub counts against its limits: the finding's JSON, in UTF-8 bytes. */
export function findingBytes(finding: AsffFinding): number {
  return Buffer.byteLength(JSON.stringify(finding), 'utf8');
}
