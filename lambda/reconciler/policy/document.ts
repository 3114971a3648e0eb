import * as z from 'zod';
import { accountIdSchema, distinct, ORGANIZATIONAL_UNIT_ID, PACKAGE_PATH, ROOT_ID, regionSchema } from '../ids';
import { nearestKey } from '../validation';

/*
 * The policy document as written, version by version: its values and the zod schemas that check it (the
 * editor's policy.schema.json is generated from them). schema.ts reads a document through them into one Policy.
 */

/** The rule name outcomes, the summary and findings give the policy's `default`; no rule may take it. */
export const DEFAULT_RULE = 'default';

/** What the policy asks for an account. UNMANAGED leaves it exactly as it is. */
export const DESIRED_STATES = ['ACTIVATED', 'DEACTIVATED', 'UNMANAGED'] as const;
export type DesiredState = (typeof DESIRED_STATES)[number];

/** Inspector's documented limits for UpdateOrgEc2DeepInspectionConfiguration. */
export const MAX_ORG_PACKAGE_PATHS = 5;
export const MAX_PACKAGE_PATH_LENGTH = 512;
export const DEFAULT_MAX_DEACTIVATIONS_PER_RUN = 50;
/**
 * The rolling 24-hour limit, when the policy sets none: twice the per-run limit. A deliberate change
 * up to the per-run limit goes through (and once more that day); a bad or malicious edit switches off
 * at most this many accounts a day, not the per-run limit every hour.
 */
export const DEFAULT_DAILY_FACTOR = 2;

/**
 * Words people write for a value that are too far from it to be a typo: the console's "Hybrid", the "SSM"
 * plugin, a switch's on and off. Each is suggested only where its value is one of those taken.
 */
const SYNONYMS: Readonly<Record<string, string>> = {
  HYBRID: 'EC2_HYBRID',
  SSM: 'EC2_SSM_AGENT_BASED',
  SSM_AGENT: 'EC2_SSM_AGENT_BASED',
  AGENT_BASED: 'EC2_SSM_AGENT_BASED',
  ENABLED: 'ACTIVATED',
  ENABLE: 'ACTIVATED',
  ON: 'ACTIVATED',
  TRUE: 'ACTIVATED',
  DISABLED: 'DEACTIVATED',
  DISABLE: 'DEACTIVATED',
  OFF: 'DEACTIVATED',
  FALSE: 'DEACTIVATED',
};

/** The value meant: the nearest by spelling, else a synonym's, when it is one of `values`. */
function meant(input: string, values: readonly string[]): string | undefined {
  const synonym = SYNONYMS[input.trim().toUpperCase()];
  return nearestKey(input, values) ?? (synonym !== undefined && values.includes(synonym) ? synonym : undefined);
}

/**
 * One of `values`, refused with what it takes and, for a near miss (`"EC2_HYBIRD"`, `"activated"`) or a
 * synonym (`"HYBRID"`, `"ENABLED"`, `"off"`), the value meant:
 * `"EC2_HYBIRD" is not one of EC2_SSM_AGENT_BASED, EC2_HYBRID, UNMANAGED; did you mean "EC2_HYBRID"?`.
 * `hint` says more for a value that is not a typo (`UNMANAGED` where it is not taken, say).
 */
function oneOf<const T extends readonly [string, ...string[]]>(
  values: T,
  hint: (input: unknown) => string | undefined = () => undefined,
) {
  return z.enum(values, {
    error: (issue) => {
      if (issue.input === undefined) return `is required: one of ${values.join(', ')}`;
      const nearest = typeof issue.input === 'string' ? meant(issue.input, values) : undefined;
      const suggestion = nearest === undefined ? '' : `; did you mean "${nearest}"?`;
      const more = hint(issue.input);
      return `${JSON.stringify(issue.input)} is not one of ${values.join(', ')}${suggestion}${more === undefined ? '' : `: ${more}`}`;
    },
  });
}

const desiredStateSchema = oneOf(DESIRED_STATES);

const organizationalUnitOrRootId = z
  .string({ error: 'must be a string' })
  .regex(new RegExp(`^(?:${ORGANIZATIONAL_UNIT_ID.source.slice(1, -1)}|${ROOT_ID.source.slice(1, -1)})$`), {
    error: (issue) => `${JSON.stringify(issue.input)} is not an organizational unit id (ou-…) or root id (r-…)`,
  });

/** How a rule's decision is applied: `enforce` writes; `report` only reports what it would change. */
export const ENFORCEMENTS = ['enforce', 'report'] as const;
export type Enforcement = (typeof ENFORCEMENTS)[number];
export const DEFAULT_WARN_BEFORE_EXPIRY_DAYS = 14;

const enforcementSchema = oneOf(ENFORCEMENTS);

/** Text a person writes (an owner, a reason), shown in findings: something visible, up to `max` characters. */
function freeText(max: number) {
  return z
    .string({ error: 'must be a string' })
    .min(1, 'must not be empty')
    .regex(/\S/u, 'must hold a visible character')
    .max(max);
}

const ruleTarget = {
  name: z
    .string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a string') })
    .min(1, 'must not be empty')
    .max(128, 'must be at most 128 characters')
    // The name is what outcomes, the summary, the queue and Security Hub findings say decided an account:
    // one that cannot be told apart there (blank, padded, "default") is refused here, not garbled later.
    .regex(/\S/u, 'must hold a visible character')
    .refine((name) => name.trim() === name, 'must not start or end with whitespace')
    .refine((name) => !/\p{Cc}/u.test(name), 'must not hold a control character (a tab, a newline, …)')
    .refine(
      (name) => name !== DEFAULT_RULE,
      `"${DEFAULT_RULE}" is reserved: it names the policy's default in outcomes, the summary and findings; choose another name`,
    ),
  accounts: distinct(accountIdSchema, 'account id').min(1, 'must not be empty').optional(),
  organizationalUnits: distinct(organizationalUnitOrRootId, 'organizational unit id')
    .min(1, 'must not be empty')
    .optional(),
  deepInspection: desiredStateSchema,
};
const namesAccountsOrUnits = {
  error: 'a rule must name "accounts", "organizationalUnits" or both',
} as const;
const hasTarget = (rule: { accounts?: unknown; organizationalUnits?: unknown }) =>
  rule.accounts !== undefined || rule.organizationalUnits !== undefined;

const ruleV1Schema = z.strictObject(ruleTarget).refine(hasTarget, namesAccountsOrUnits);

/** A day, UTC, as `2027-03-31`: the last day the rule matches. */
const expirySchema = z.iso.date({
  error: (issue) => `${JSON.stringify(issue.input)} is not a date such as "2027-03-31"`,
});

/** What a version 2 rule adds to version 1's; version 3 keeps it. */
const ruleV2Fields = {
  ...ruleTarget,
  enforcement: enforcementSchema.default('enforce').meta({
    description: '"report": read and plan this rule\'s accounts, report what it would change, write nothing',
  }),
  expires: expirySchema.optional().meta({
    description: 'The last day (UTC) the rule matches; after it, its accounts go to the rules below or the default',
  }),
  owner: freeText(256).optional().meta({ description: 'Who answers for this rule (free text)' }),
  reason: freeText(1024).optional().meta({ description: 'Why the rule exists (free text)' }),
};

const ruleV2Schema = z.strictObject(ruleV2Fields).refine(hasTarget, namesAccountsOrUnits);

const packagePathSchema = z
  .string({ error: 'must be a string' })
  .min(1, 'must not be empty')
  .max(MAX_PACKAGE_PATH_LENGTH, `must be at most ${MAX_PACKAGE_PATH_LENGTH} characters`)
  .refine((path) => path.startsWith('/') || /^[A-Za-z]:\\/.test(path), {
    error: (issue) => `${JSON.stringify(issue.input)} is not an absolute path (/opt/app/lib or C:\\App\\lib)`,
  })
  .regex(PACKAGE_PATH, {
    error: (issue) =>
      `${JSON.stringify(issue.input)} is not a path Inspector accepts: segments of letters, digits, "_" and "-", single dots or spaces inside a name, no empty, "." or ".." segments, no trailing backslash`,
  });

/** What both versions share. `$schema` points an editor at policy.schema.json. */
const common = {
  $schema: z.string({ error: 'must be a string' }).optional(),
  regions: distinct(regionSchema, 'region').min(1, 'must not be empty').optional(),
  orgPackagePaths: distinct(packagePathSchema, 'path')
    .max(MAX_ORG_PACKAGE_PATHS, `at most ${MAX_ORG_PACKAGE_PATHS} paths`)
    .optional(),
  guardrails: z
    .strictObject({
      maxDeactivationsPerRun: z
        .number({ error: 'must be a number' })
        .int('must be a whole number')
        .min(0, 'must not be negative')
        .default(DEFAULT_MAX_DEACTIVATIONS_PER_RUN),
      maxDeactivationsPerDay: z
        .number({ error: 'must be a number' })
        .int('must be a whole number')
        .min(0, 'must not be negative')
        .optional(),
    })
    .default({ maxDeactivationsPerRun: DEFAULT_MAX_DEACTIVATIONS_PER_RUN }),
};

export const policyV1Schema = z.strictObject({
  ...common,
  version: z.literal(1),
  default: desiredStateSchema,
  rules: z.array(ruleV1Schema, { error: 'must be an array' }).default([]),
});

export const policyV2Schema = z.strictObject({
  ...common,
  version: z.literal(2),
  default: z.union([
    desiredStateSchema,
    z.strictObject({ deepInspection: desiredStateSchema, enforcement: enforcementSchema.default('enforce') }),
  ]),
  rules: z.array(ruleV2Schema, { error: 'must be an array' }).default([]),
  warnBeforeExpiryDays: z
    .number({ error: 'must be a number' })
    .int('must be a whole number')
    .min(0, 'must not be negative')
    .max(365, 'must be at most 365')
    .default(DEFAULT_WARN_BEFORE_EXPIRY_DAYS),
  coverage: z
    .strictObject({
      minimumEffectivePercent: z
        .number({ error: 'must be a number' })
        .min(0, 'must be at least 0')
        .max(100, 'must be at most 100'),
    })
    .optional(),
  findings: z
    .strictObject({
      securityHub: z.boolean({ error: 'must be true or false' }).default(false).meta({
        description:
          'Import every exception the policy cannot hold into Security Hub as a finding, and archive it once resolved. Needs the stack deployed with securityHubFindings true; see docs/findings.md',
      }),
    })
    .default({ securityHub: false })
    .meta({ description: 'Where exceptions are reported besides the run summary, metrics and the queue' }),
});

/**
 * Inspector's EC2 scan modes (inspector2 model, botocore 1.43.67: `Ec2ScanMode`): agent-based through SSM,
 * or hybrid (agent-based plus agentless for instances SSM does not manage).
 */
export const SCAN_MODES = ['EC2_SSM_AGENT_BASED', 'EC2_HYBRID'] as const;
export type ScanMode = (typeof SCAN_MODES)[number];
/** The Inspector VM scanner (Enhanced EC2 Scanning): `Ec2Configuration.activateVMScanner` true or false. */
export const VM_SCANNER_STATES = ['ACTIVATED', 'DEACTIVATED'] as const;
export type VmScannerState = (typeof VM_SCANNER_STATES)[number];
/** The EC2 scan configuration settings a version 3 policy manages, each decided on its own (docs/policy.md). */
export const SCAN_SETTINGS = ['scanMode', 'vmScanner'] as const;
export type ScanSetting = (typeof SCAN_SETTINGS)[number];
/** Every setting a version 3 rule may state: a rule states at least one. */
export const RULE_SETTINGS = ['deepInspection', ...SCAN_SETTINGS] as const;
export type RuleSetting = (typeof RULE_SETTINGS)[number];

/** JSON Schema's "at least one of these keys": the editor schema's form of a "states nothing" refinement. */
const requiresOneOf = (keys: readonly string[]) => keys.map((key) => ({ required: [key] }));

/** The default leaves a setting unmanaged by leaving it out, so it takes no UNMANAGED. */
const leaveItOut = (input: unknown) =>
  input === 'UNMANAGED' ? 'leave the setting out of scanConfiguration to leave it unmanaged by default' : undefined;

const scanConfigurationSchema = z
  .strictObject({
    scanMode: oneOf(SCAN_MODES, leaveItOut).optional().meta({
      description:
        'The EC2 scan mode of the delegated administrator, which members that are not individually configured inherit: EC2_SSM_AGENT_BASED, or EC2_HYBRID (agent-based plus agentless). Left out: not managed by default',
    }),
    vmScanner: oneOf(VM_SCANNER_STATES, leaveItOut).optional().meta({
      description:
        'The Inspector VM scanner (Enhanced EC2 Scanning) of the delegated administrator, which members that are not individually configured inherit. Left out: not managed by default',
    }),
    enforcement: enforcementSchema.default('enforce').meta({
      description: '"report": report what the default would change, write nothing',
    }),
  })
  // An empty default reads as if it managed something: say so rather than quietly manage nothing.
  .refine((configuration) => configuration.scanMode !== undefined || configuration.vmScanner !== undefined, {
    error:
      'states neither "scanMode" nor "vmScanner", so it manages nothing: state one or both, or remove "scanConfiguration"',
    when: withoutIssues,
  })
  .meta({
    description:
      "The organization's default EC2 scan configuration: the delegated administrator's own in each region, which members that are not individually configured inherit",
    // The refinement above, said to the editor schema too (JSON Schema cannot run the refinement).
    anyOf: requiresOneOf(SCAN_SETTINGS),
  });

/**
 * Whether a "states nothing" check runs: not on an object with an unknown key, which may be the setting
 * misspelt (`"vmScaner"`): that is reported once, as the typo. Any other problem is reported alongside it.
 */
function withoutIssues(payload: z.core.ParsePayload): boolean {
  return !payload.issues.some((issue) => issue.code === 'unrecognized_keys');
}

const statesASetting = {
  error: `a rule must state at least one of ${RULE_SETTINGS.map((setting) => `"${setting}"`).join(', ')}`,
  when: withoutIssues,
} as const;

const ruleV3Schema = z
  .strictObject({
    ...ruleV2Fields,
    deepInspection: desiredStateSchema.optional().meta({
      description:
        'Deep inspection for the accounts this rule matches; left out: decided by the rules below or the default',
    }),
    scanMode: oneOf([...SCAN_MODES, 'UNMANAGED'])
      .optional()
      .meta({
        description:
          'The EC2 scan mode for the accounts this rule matches; UNMANAGED leaves it as it is; left out: decided by the rules below or scanConfiguration',
      }),
    vmScanner: oneOf([...VM_SCANNER_STATES, 'UNMANAGED'])
      .optional()
      .meta({
        description:
          'The Inspector VM scanner (Enhanced EC2 Scanning) for the accounts this rule matches; UNMANAGED leaves it as it is; left out: decided by the rules below or scanConfiguration',
      }),
  })
  .refine(hasTarget, namesAccountsOrUnits)
  .refine((rule) => RULE_SETTINGS.some((setting) => rule[setting] !== undefined), statesASetting)
  .meta({ anyOf: requiresOneOf(RULE_SETTINGS) });

export const policyV3Schema = z.strictObject({
  ...policyV2Schema.shape,
  version: z.literal(3),
  scanConfiguration: scanConfigurationSchema.optional(),
  rules: z.array(ruleV3Schema, { error: 'must be an array' }).default([]),
});

/** Every policy document this function reads, as written: the editor schema is generated from it. */
export const policyDocumentSchema = z.discriminatedUnion('version', [policyV1Schema, policyV2Schema, policyV3Schema]);

/** The keys only version 3 takes: a version 1 or 2 policy that uses one is told to write `"version": 3`. */
export const VERSION_3_KEYS = { top: ['scanConfiguration'], rule: SCAN_SETTINGS as readonly string[] };
