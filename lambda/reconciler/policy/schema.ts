import type * as z from 'zod';
import { PolicyError, type Problem } from '../errors/errors';
import { ORGANIZATIONAL_UNIT_ID, partitionOf } from '../ids';
import { type ParameterTier, policyText } from './read';
import { duplicateKeys, locateProblems, syntaxProblem } from './text';
import { problemsFrom } from '../validation';
import {
  DEFAULT_DAILY_FACTOR,
  DEFAULT_WARN_BEFORE_EXPIRY_DAYS,
  type DesiredState,
  type Enforcement,
  type policyDocumentSchema,
  policyV1Schema,
  policyV2Schema,
  policyV3Schema,
  type ScanMode,
  VERSION_3_KEYS,
  type VmScannerState,
} from './document';

// The document's values and schemas (document.ts), for the modules that import them from here.
export {
  DEFAULT_DAILY_FACTOR,
  DEFAULT_MAX_DEACTIVATIONS_PER_RUN,
  DEFAULT_RULE,
  DEFAULT_WARN_BEFORE_EXPIRY_DAYS,
  DESIRED_STATES,
  type DesiredState,
  ENFORCEMENTS,
  type Enforcement,
  MAX_ORG_PACKAGE_PATHS,
  MAX_PACKAGE_PATH_LENGTH,
  policyDocumentSchema,
  policyV1Schema,
  policyV2Schema,
  policyV3Schema,
  RULE_SETTINGS,
  type RuleSetting,
  SCAN_MODES,
  SCAN_SETTINGS,
  type ScanMode,
  type ScanSetting,
  VM_SCANNER_STATES,
  type VmScannerState,
} from './document';

/** What a setting's value is, by setting. */
export interface ScanSettingValues {
  readonly scanMode: ScanMode;
  readonly vmScanner: VmScannerState;
}

/** A rule as the planner reads it, whatever the version it was written in. */
export interface PolicyRule {
  readonly name: string;
  readonly accounts?: readonly string[];
  readonly organizationalUnits?: readonly string[];
  /**
   * Required in versions 1 and 2. In version 3 a rule states at least one of deepInspection, scanMode and
   * vmScanner; a setting it leaves out is decided by the next matching rule that states it, else the default.
   */
  readonly deepInspection?: DesiredState;
  /** Version 3: the account's EC2 scan mode; UNMANAGED leaves it as it is. */
  readonly scanMode?: ScanMode | 'UNMANAGED';
  /** Version 3: the account's Inspector VM scanner; UNMANAGED leaves it as it is. */
  readonly vmScanner?: VmScannerState | 'UNMANAGED';
  readonly enforcement: Enforcement;
  /** The last day (UTC, `YYYY-MM-DD`) the rule matches. */
  readonly expires?: string;
  readonly owner?: string;
  readonly reason?: string;
}

/** A validated policy of either version, in one shape. */
export interface Policy {
  readonly version: 1 | 2 | 3;
  readonly default: { readonly deepInspection: DesiredState; readonly enforcement: Enforcement };
  /**
   * Version 3: the organization-wide EC2 scan configuration, which is the delegated administrator's own in
   * each region and what members that were not individually configured inherit (UpdateConfiguration without
   * `accountId`). A setting it leaves out is not managed by default. Absent: no scan configuration default.
   */
  readonly scanConfiguration?: {
    readonly scanMode?: ScanMode;
    readonly vmScanner?: VmScannerState;
    readonly enforcement: Enforcement;
  };
  readonly rules: readonly PolicyRule[];
  readonly regions?: readonly string[];
  readonly orgPackagePaths?: readonly string[];
  readonly guardrails: {
    readonly maxDeactivationsPerRun: number;
    /** Across every run in a rolling 24 hours, retries and manual runs included. */
    readonly maxDeactivationsPerDay: number;
  };
  readonly warnBeforeExpiryDays: number;
  /** The effective coverage of ACTIVATED accounts below which a region alarms (version 2). */
  readonly coverage?: { readonly minimumEffectivePercent: number };
  /** Exceptions as Security Hub findings (version 2; off in version 1): the function's findings step, docs/findings.md. */
  readonly findings: { readonly securityHub: boolean };
  /** Where it was read from, when the source says: `SSM parameter /name version 7`. */
  readonly origin?: string;
}

const SUPPORTED_VERSIONS = [1, 2, 3] as const;
const VERSIONS_TEXT = '1, 2 or 3';

function normalize(document: z.output<typeof policyDocumentSchema>): Policy {
  const common = {
    guardrails: {
      maxDeactivationsPerRun: document.guardrails.maxDeactivationsPerRun,
      maxDeactivationsPerDay:
        document.guardrails.maxDeactivationsPerDay ?? DEFAULT_DAILY_FACTOR * document.guardrails.maxDeactivationsPerRun,
    },
    ...(document.regions === undefined ? {} : { regions: document.regions }),
    ...(document.orgPackagePaths === undefined ? {} : { orgPackagePaths: document.orgPackagePaths }),
  };
  if (document.version === 1) {
    return {
      version: 1,
      ...common,
      default: { deepInspection: document.default, enforcement: 'enforce' },
      rules: document.rules.map((rule) => ({ ...rule, enforcement: 'enforce' })),
      warnBeforeExpiryDays: DEFAULT_WARN_BEFORE_EXPIRY_DAYS,
      findings: { securityHub: false },
    };
  }
  return {
    version: document.version,
    ...common,
    default:
      typeof document.default === 'string'
        ? { deepInspection: document.default, enforcement: 'enforce' }
        : document.default,
    ...(document.version === 3 && document.scanConfiguration !== undefined
      ? { scanConfiguration: document.scanConfiguration }
      : {}),
    rules: document.rules,
    warnBeforeExpiryDays: document.warnBeforeExpiryDays,
    ...(document.coverage === undefined ? {} : { coverage: document.coverage }),
    findings: document.findings,
  };
}

/** The schema a document is checked against: its own version's, or the newest for an unknown version. */
function schemaFor(version: unknown) {
  return version === 1 ? policyV1Schema : version === 2 ? policyV2Schema : policyV3Schema;
}

/**
 * Validates a parsed policy document and reports every problem at once, each with its JSON path.
 * @param source where the document came from, named in the error (a parameter name or a file path)
 */
export function validatePolicy(document: unknown, source: string): Policy {
  const version = (document as { version?: unknown } | null)?.version;
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    throw new PolicyError(source, [{ path: '$', message: 'must be a JSON object' }]);
  }
  const supported = (SUPPORTED_VERSIONS as readonly unknown[]).includes(version);
  // An unknown version is reported with every other problem, the rest checked as the newest version.
  const schema = schemaFor(version);
  const result = schema.safeParse(document);
  const versionProblems = supported
    ? []
    : [
        {
          path: '$.version',
          message:
            version === undefined
              ? `is required: ${VERSIONS_TEXT}`
              : typeof version !== 'number'
                ? `must be a number: ${VERSIONS_TEXT}, not ${JSON.stringify(version)}${typeof version === 'string' ? ' (remove the quotes)' : ''}`
                : `unknown policy version ${JSON.stringify(version)}; this function reads versions 1, 2 and 3`,
        },
      ];
  // Checked on the raw document so that it is reported alongside every other problem:
  // zod skips refinements of an object whose fields already have issues.
  const problems = [
    ...versionProblems,
    ...(result.success ? [] : problemsFrom(result.error, { schema, input: document }))
      .filter((p) => supported || p.path !== '$.version')
      .map((p) => (version === 1 || version === 2 ? versionThreeKey(p, version) : p)),
    ...duplicateRuleNames(document),
    ...mixedPartitions(document),
  ];
  if (problems.length > 0 || !result.success) throw new PolicyError(source, problems);
  return normalize(result.data);
}

/**
 * An unknown key of a version 1 or 2 policy that version 3 takes (`scanConfiguration`, a rule's `scanMode` or
 * `vmScanner`): said as such, with the fix, rather than as a typo. Version 3 is what an older function refuses
 * by its number (docs/policy.md, "Why version 3").
 */
function versionThreeKey(problem: Problem, version: 1 | 2): Problem {
  const match = /^\$(?:\.rules\[\d+\])?\.(\w+)$/.exec(problem.path);
  const key = match?.[1];
  const inRule = problem.path.startsWith('$.rules[');
  if (key === undefined || !problem.message.startsWith('unknown key')) return problem;
  if (!(inRule ? VERSION_3_KEYS.rule : VERSION_3_KEYS.top).includes(key)) return problem;
  return {
    path: problem.path,
    // Still "unknown key…", so that its line and column are the key's (policy/text.ts).
    message: `unknown key in a version ${version} policy: "${key}" is a version 3 key (the EC2 scan configuration): write "version": 3 to use it${version === 1 ? ' (version 3 takes every version 2 key too)' : ''}`,
  };
}

/**
 * One deployment serves one partition: its delegated administrator, its credentials and its queue live
 * in one, and no call crosses into another (aws, aws-cn, aws-us-gov, aws-eusc, the ISO partitions).
 */
function mixedPartitions(document: unknown): Problem[] {
  const regions = (document as { regions?: unknown } | null)?.regions;
  if (!Array.isArray(regions)) return [];
  const known = regions.flatMap((region, index) => {
    const partition = typeof region === 'string' ? partitionOf(region) : undefined;
    return partition === undefined ? [] : [{ region: region as string, index, partition }];
  });
  const first = known[0];
  if (first === undefined) return [];
  return known
    .filter((entry) => entry.partition !== first.partition)
    .map((entry) => ({
      path: `$.regions[${entry.index}]`,
      message: `${entry.region} is in the ${entry.partition} partition and $.regions[${first.index}] ${first.region} in ${first.partition}: one deployment serves one partition; keep a policy (and a deployment) per partition`,
    }));
}

function duplicateRuleNames(document: unknown): Problem[] {
  const rules = (document as { rules?: unknown } | null)?.rules;
  if (!Array.isArray(rules)) return [];
  const firstIndexByName = new Map<string, number>();
  return rules.flatMap((rule: unknown, index): Problem[] => {
    const name = (rule as { name?: unknown } | null)?.name;
    if (typeof name !== 'string') return [];
    const first = firstIndexByName.get(name);
    if (first === undefined) {
      firstIndexByName.set(name, index);
      return [];
    }
    return [
      {
        path: `$.rules[${index}].name`,
        message: `duplicate rule name ${JSON.stringify(name)} (first used by $.rules[${first}])`,
      },
    ];
  });
}

/**
 * Parses and validates the policy text as stored in SSM or in a file. Every problem says where it is:
 * a syntax error its line, column and the line itself with a caret; a schema problem its JSON path
 * and the line and column of the value (or of the key, for an unknown key).
 */
export function parsePolicy(
  input: string | Uint8Array | undefined,
  source: string,
  options: { readonly tier?: ParameterTier } = {},
): Policy {
  // The one reader (policy/read.ts): UTF-8 only, one byte order mark dropped, the tier's size.
  const text = input === undefined ? undefined : policyText(input, source, options);
  if (text === undefined || text.trim() === '') {
    throw new PolicyError(source, [{ path: '$', message: 'the policy is empty' }]);
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (cause) {
    throw new PolicyError(source, [syntaxProblem(text, cause as Error)], { cause });
  }
  const repeated = duplicateKeys(text);
  if (repeated.length > 0) throw new PolicyError(source, repeated);
  try {
    return validatePolicy(document, source);
  } catch (error) {
    if (!(error instanceof PolicyError)) throw error;
    throw new PolicyError(source, locateProblems(text, error.problems), { cause: error });
  }
}
/** True when some rule names an organizational unit, so account ancestry must be resolved. Root ids match everything. */
export function needsOrganizationalUnits(policy: Policy): boolean {
  return policy.rules.some((rule) => rule.organizationalUnits?.some((id) => ORGANIZATIONAL_UNIT_ID.test(id)));
}
