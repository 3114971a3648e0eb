import {
  archivedFinding,
  buildFinding,
  FIELD,
  findingBytes,
  findingId,
  fingerprintOf,
  truncate,
  GENERATOR_ID,
  MAX_DESCRIPTION,
  MAX_FINDING_BYTES,
  MAX_ID,
  MAX_PRODUCT_FIELD_VALUE,
  MAX_PRODUCT_FIELDS,
  MAX_RECOMMENDATION_TEXT,
  MAX_TITLE,
  arnPartitionOf,
  productArn,
} from '../../lambda/reconciler/findings/asff';
import type { AccountException, RuleException } from '../../lambda/reconciler/findings/exception';
import { validate } from '../../local/aws-endpoint/model';

const ADMIN = '999999999999';
const NOW = '2026-11-24T10:00:00.000Z';
const context = { partition: 'aws', ownAccountId: ADMIN, now: NOW };

const notMember: AccountException = {
  kind: 'ACCOUNT',
  reason: 'NOT_INSPECTOR_MEMBER',
  accountId: '111111111111',
  region: 'eu-west-1',
  rule: 'default',
  desired: 'ACTIVATED',
  severity: 'HIGH',
  status: 'FAILED',
};
const reportOnly = (accounts: readonly string[], rule = 'trial'): RuleException => ({
  kind: 'RULE',
  reason: 'REPORT_ONLY_MISMATCH',
  region: 'eu-west-1',
  rule,
  accounts,
  to: 'ACTIVATED',
  severity: 'MEDIUM',
  status: 'WARNING',
});
/** Rule "temporary", its last day 2026-12-01, deciding one account in eu-west-1. */
const expiringRule = (facts: Pick<RuleException, 'owner' | 'ruleReason'>): RuleException => ({
  kind: 'RULE',
  reason: 'RULE_EXPIRING',
  region: 'eu-west-1',
  rule: 'temporary',
  accounts: ['100000000001'],
  expires: '2026-12-01',
  ...facts,
  severity: 'LOW',
  status: 'WARNING',
});
const ids = (count: number) => Array.from({ length: count }, (_, i) => String(100000000000 + i));

describe('buildFinding: an account fact', () => {
  const finding = buildFinding(notMember, context);

  it("conforms to Security Hub's AwsSecurityFinding shape", () => {
    expect(validate('securityhub', 'AwsSecurityFinding', finding)).toEqual([]);
  });

  it('is imported as the delegated administrator, under its custom-integration product ARN and this generator', () => {
    expect(finding).toMatchObject({
      SchemaVersion: '2018-10-08',
      AwsAccountId: ADMIN,
      ProductArn: `arn:aws:securityhub:eu-west-1:${ADMIN}:product/${ADMIN}/default`,
      GeneratorId: GENERATOR_ID,
      Id: 'deep-inspection-reconciler/eu-west-1/account/111111111111/NOT_INSPECTOR_MEMBER',
    });
  });

  it('names the member account as the resource, as Security Hub names an account', () => {
    expect(finding.Resources).toEqual([
      { Type: 'AwsAccount', Id: 'AWS::::Account:111111111111', Partition: 'aws', Region: 'eu-west-1' },
    ]);
  });

  it('gives severity and types through FindingProviderFields, and sets none of the fields people own', () => {
    expect(finding.FindingProviderFields).toEqual({
      Severity: { Label: 'HIGH', Original: 'HIGH' },
      Types: ['Software and Configuration Checks/AWS Security Best Practices'],
    });
    for (const owned of [
      'Severity',
      'Types',
      'Workflow',
      'WorkflowState',
      'Note',
      'UserDefinedFields',
      'VerificationState',
      'Region',
    ]) {
      expect(finding).not.toHaveProperty(owned);
    }
  });

  it('is ACTIVE and FAILED, with the rule, the reason and a fingerprint, and the fix with its doc page', () => {
    expect(finding).toMatchObject({
      RecordState: 'ACTIVE',
      Compliance: { Status: 'FAILED' },
      ProductFields: {
        [FIELD.kind]: 'ACCOUNT',
        [FIELD.reason]: 'NOT_INSPECTOR_MEMBER',
        [FIELD.rule]: 'default',
        [FIELD.accountId]: '111111111111',
        [FIELD.fingerprint]: fingerprintOf(notMember),
      },
      Remediation: {
        Recommendation: {
          Text: expect.stringContaining('AssociateMember'),
          Url: 'https://docs.aws.amazon.com/inspector/latest/user/managing-multiple-accounts.html',
        },
      },
    });
  });

  it('is created, updated, first and last observed now when new; keeps its creation when updated', () => {
    expect([finding.CreatedAt, finding.UpdatedAt, finding.FirstObservedAt, finding.LastObservedAt]).toEqual([
      NOW,
      NOW,
      NOW,
      NOW,
    ]);
    const later = buildFinding(notMember, {
      ...context,
      now: '2026-12-01T10:00:00.000Z',
      createdAt: NOW,
      firstObservedAt: '2026-11-23T00:00:00.000Z',
    });
    expect(later).toMatchObject({
      CreatedAt: NOW,
      FirstObservedAt: '2026-11-23T00:00:00.000Z',
      UpdatedAt: '2026-12-01T10:00:00.000Z',
      LastObservedAt: '2026-12-01T10:00:00.000Z',
    });
  });

  it('keeps Title, Description and the recommendation within their limits, on one line, however long the error', () => {
    const long = buildFinding(
      { ...notMember, reason: 'UPDATE_FAILED', message: `line one\nline two ${'x'.repeat(5000)}` },
      context,
    );
    expect(long.Title.length).toBeLessThanOrEqual(MAX_TITLE);
    expect(long.Description.length).toBe(MAX_DESCRIPTION);
    expect(long.Description).not.toMatch(/\n/);
    expect(long.Remediation.Recommendation.Text.length).toBeLessThanOrEqual(MAX_RECOMMENDATION_TEXT);
    expect(validate('securityhub', 'AwsSecurityFinding', long)).toEqual([]);
  });

  it('archives as the same finding with Compliance PASSED and RecordState ARCHIVED', () => {
    const archived = archivedFinding(finding, '2026-11-25T00:00:00.000Z');
    expect(archived).toEqual({
      ...finding,
      UpdatedAt: '2026-11-25T00:00:00.000Z',
      Compliance: { Status: 'PASSED' },
      RecordState: 'ARCHIVED',
    });
  });
});

describe('findingId and fingerprintOf', () => {
  it('gives the same exception the same Id, and a different account, region or reason another', () => {
    expect(findingId({ ...notMember })).toBe(findingId(notMember));
    const others = [
      { ...notMember, accountId: '222222222222' },
      { ...notMember, region: 'us-east-1' },
      { ...notMember, reason: 'EC2_SCANNING_NOT_ENABLED' as const },
    ].map(findingId);
    expect(new Set([findingId(notMember), ...others]).size).toBe(4);
  });

  it('keys a rule finding by rule and region, with any rule name within the Id limits', () => {
    expect(findingId(reportOnly(['1'], 'a/b c'))).toBe(
      'deep-inspection-reconciler/eu-west-1/rule/a%2Fb%20c/REPORT_ONLY_MISMATCH',
    );
    const long = reportOnly(['1'], '規則'.repeat(64));
    expect(findingId(long).length).toBeLessThanOrEqual(MAX_ID);
    expect(findingId(long)).not.toBe(findingId(reportOnly(['1'], '規則'.repeat(63))));
    expect(buildFinding(long, context).Resources[0]?.Id.length).toBeLessThanOrEqual(256);
  });

  it("ignores what changes without the exception changing: Inspector's wording", () => {
    expect(fingerprintOf({ ...notMember, message: 'one' })).toBe(fingerprintOf({ ...notMember, message: 'two' }));
  });

  it('changes with the facts: the observed state, the severity, the rule, the accounts of a rule', () => {
    const base = fingerprintOf(notMember);
    expect(fingerprintOf({ ...notMember, detail: 'SUSPENDED' })).not.toBe(base);
    expect(fingerprintOf({ ...notMember, severity: 'MEDIUM' })).not.toBe(base);
    expect(fingerprintOf({ ...notMember, rule: 'other' })).not.toBe(base);
    expect(fingerprintOf(reportOnly(['1', '2']))).not.toBe(fingerprintOf(reportOnly(['1'])));
  });
});

describe('buildFinding: a rule fact', () => {
  it('names its accounts and conforms to the model', () => {
    const finding = buildFinding(reportOnly(['100000000001', '100000000002']), context);
    expect(validate('securityhub', 'AwsSecurityFinding', finding)).toEqual([]);
    expect(finding.ProductFields).toMatchObject({
      [FIELD.kind]: 'RULE',
      [FIELD.rule]: 'trial',
      [FIELD.accountCount]: '2',
      [`${FIELD.accounts}/0`]: '100000000001,100000000002',
    });
    expect(finding.ProductFields).not.toHaveProperty(FIELD.accountsOmitted);
    expect(finding.Resources).toEqual([
      expect.objectContaining({
        Type: 'Other',
        Id: 'deep-inspection-reconciler/policy/rule/trial',
        Region: 'eu-west-1',
      }),
    ]);
    expect(finding.Description).toContain('100000000001, 100000000002');
  });

  it('caps the list of 20,000 accounts within the limits of ProductFields and 240 KB, counting the rest', () => {
    const accounts = ids(20_000);
    const finding = buildFinding(reportOnly(accounts), context);
    const fields = Object.entries(finding.ProductFields);
    const listed = fields
      .filter(([key]) => key.startsWith(`${FIELD.accounts}/`))
      .flatMap(([, value]) => value.split(','));

    expect(findingBytes(finding)).toBeLessThanOrEqual(MAX_FINDING_BYTES);
    expect(fields.length).toBeLessThanOrEqual(MAX_PRODUCT_FIELDS);
    expect(fields.every(([, value]) => value.length <= MAX_PRODUCT_FIELD_VALUE)).toBe(true);
    expect(listed).toEqual(accounts.slice(0, listed.length));
    expect(finding.ProductFields[FIELD.accountCount]).toBe('20000');
    expect(Number(finding.ProductFields[FIELD.accountsOmitted])).toBe(20_000 - listed.length);
    expect(finding.Description.length).toBeLessThanOrEqual(MAX_DESCRIPTION);
    expect(finding.Description).toContain('and 19980 more');
    expect(validate('securityhub', 'AwsSecurityFinding', finding)).toEqual([]);
  });

  it("tells an expiring rule's last day, owner and reason", () => {
    const finding = buildFinding(expiringRule({ owner: 'team-a', ruleReason: 'migration' }), context);
    expect(finding.Title).toBe('Policy rule "temporary" expires on 2026-12-01 and decides 1 account in eu-west-1');
    expect(finding.Description).toContain('Owner: team-a. Reason: migration.');
    expect(finding.Resources[0]?.Details?.Other).toEqual({
      rule: 'temporary',
      expires: '2026-12-01',
      owner: 'team-a',
      reason: 'migration',
    });
  });
});

describe('buildFinding: text that is blank once on one line', () => {
  it('sends no empty value, which the model refuses (NonEmptyString) for the whole import batch', () => {
    const expiring = buildFinding(expiringRule({ owner: ' ', ruleReason: '\n\t' }), context);
    const account = buildFinding({ ...notMember, detail: ' \n' }, context);
    for (const finding of [expiring, account]) {
      expect(validate('securityhub', 'AwsSecurityFinding', finding)).toEqual([]);
      expect(JSON.stringify(finding)).not.toMatch(/:""/);
    }
    expect(expiring.Resources[0]?.Details?.Other).toEqual({ rule: 'temporary', expires: '2026-12-01' });
    expect(expiring.Description).not.toContain('Owner:');
  });
});

describe('partitions and text', () => {
  it('derives the partition of a region, for the product ARN and the resource', () => {
    expect(arnPartitionOf('cn-north-1')).toBe('aws-cn');
    expect(arnPartitionOf('us-gov-west-1')).toBe('aws-us-gov');
    expect(arnPartitionOf('us-isob-east-1')).toBe('aws-iso-b');
    expect(arnPartitionOf('eu-west-1')).toBe('aws');
    expect(productArn('aws-cn', 'cn-north-1', ADMIN)).toBe(
      `arn:aws-cn:securityhub:cn-north-1:${ADMIN}:product/${ADMIN}/default`,
    );
    const iso = buildFinding({ ...notMember, region: 'us-iso-east-1' }, { ...context, partition: 'aws-iso' });
    expect(iso.Resources[0]?.Partition).toBe('aws-us-iso');
  });

  it('fits text to a length, on one line, marking the cut', () => {
    expect(truncate('a\n b', 10)).toBe('a b');
    expect(truncate('abcdefghij', 5)).toBe('abcd…');
  });
});

describe('EC2 scanning off: the remediation says what the organization’s Inspector policy says', () => {
  const off = (ec2ScanningOff?: AccountException['ec2ScanningOff']): AccountException => ({
    ...notMember,
    reason: 'EC2_SCANNING_NOT_ENABLED',
    detail: 'DISABLED',
    ...(ec2ScanningOff ? { ec2ScanningOff } : {}),
  });
  const remediation = (exception: AccountException) => buildFinding(exception, context).Remediation.Recommendation.Text;

  it('disabled by the policy: change the policy, not the account (the policy takes precedence)', () => {
    const text = remediation(off({ kind: 'DISABLED_BY_POLICY', disableInRegions: ['eu-west-1'], enableInRegions: [] }));
    expect(text).toMatch(
      /^EC2 scanning is disabled by the organization's Inspector policy \(disable_in_regions: eu-west-1/,
    );
    expect(text).toContain('INSPECTOR_POLICY');
    expect(text).not.toContain('API: Enable');
  });

  it('no policy applies: activate EC2 scanning from the delegated administrator', () => {
    const text = remediation(off({ kind: 'NO_POLICY' }));
    expect(text).toMatch(
      /^No Inspector policy applies to the account\. From the Inspector delegated administrator, activate EC2 scanning/,
    );
  });

  it('could not tell: says so, and both ways out', () => {
    const text = remediation(off({ kind: 'COULD_NOT_TELL', why: 'AccessDeniedException: denied' }));
    expect(text).toMatch(/^Could not tell whether the organization's Inspector policy turned EC2 scanning off/);
    expect(text).toContain('activate EC2 scanning');
  });

  it('keeps the fingerprint of a finding with no cause as it was, and changes it when the cause changes', () => {
    expect(fingerprintOf(off())).toBe(
      fingerprintOf({ ...notMember, reason: 'EC2_SCANNING_NOT_ENABLED', detail: 'DISABLED' }),
    );
    expect(fingerprintOf(off({ kind: 'NO_POLICY' }))).not.toBe(
      fingerprintOf(off({ kind: 'DISABLED_BY_POLICY', disableInRegions: ['eu-west-1'], enableInRegions: [] })),
    );
  });
});

describe('a scan configuration an organization policy keeps from the account', () => {
  const blocked = (detail: string): AccountException => ({
    kind: 'ACCOUNT',
    reason: 'SCAN_CONFIGURATION_BLOCKED_BY_ORGANIZATION_POLICY',
    accountId: '111111111111',
    region: 'eu-west-1',
    rule: 'vm scanner ou',
    scanTarget: 'vmScanner ACTIVATED',
    detail,
    severity: 'HIGH',
    status: 'FAILED',
  });

  it.each(['BLOCKED_BY_ORGANIZATION_POLICY', 'EC2_SCANNING_DISABLED_BY_INSPECTOR_POLICY'])(
    '%s: the description says what the policy wants of it, and which rule decides it',
    (detail) => {
      const finding = buildFinding(blocked(detail), context);
      expect(finding.Description).toContain('the policy wants vmScanner ACTIVATED (decided by: vm scanner ou)');
      expect(finding.ProductFields['DeepInspectionReconciler/Desired']).toBe('vmScanner ACTIVATED');
    },
  );
});
