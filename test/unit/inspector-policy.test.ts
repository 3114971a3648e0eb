import { UNLIMITED } from '../../lambda/reconciler/deadline/budget';
import {
  ec2ScanningOffText,
  ec2ScanningPolicyOf,
  type EffectivePolicyReader,
  explainEc2ScanningOff,
  MAX_DISABLED_LISTED,
} from '../../lambda/reconciler/inspector-policy';
import type { Outcome } from '../../lambda/reconciler/model';

const off = (accountId: string, region: string): Outcome => ({
  kind: 'SKIPPED',
  accountId,
  region,
  rule: 'default',
  reason: 'EC2_SCANNING_NOT_ENABLED',
  detail: 'DISABLED',
});
const compliant = (accountId: string, region: string): Outcome => ({
  kind: 'COMPLIANT',
  accountId,
  region,
  state: 'ACTIVATED',
});
const policy = (disable: string[], enable: string[] = []) =>
  JSON.stringify({
    inspector: { enablement: { ec2_scanning: { enable_in_regions: enable, disable_in_regions: disable } } },
  });

/** A reader that answers from a table and counts its calls; an Error value is thrown with its name. */
function reader(answers: Record<string, string | undefined | Error>): EffectivePolicyReader & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    async inspectorPolicy(accountId) {
      calls.push(accountId);
      const answer = answers[accountId];
      if (answer instanceof Error) throw answer;
      return answer;
    },
  };
}
const named = (name: string, message: string) => Object.assign(new Error(message), { name });

describe('why EC2 scanning is off (the organization’s Inspector policy)', () => {
  it('asks once an account, whatever its regions, and says disabled by the policy only in the regions it disables', async () => {
    const organizations = reader({ '111111111111': policy(['eu-west-1'], ['us-east-1']), '222222222222': undefined });
    const outcomes = [
      off('111111111111', 'eu-west-1'),
      off('111111111111', 'us-east-1'),
      off('222222222222', 'eu-west-1'),
      compliant('333333333333', 'eu-west-1'),
    ];

    const { outcomes: explained, report } = await explainEc2ScanningOff(outcomes, organizations, UNLIMITED);

    expect(organizations.calls.sort()).toEqual(['111111111111', '222222222222']);
    expect(explained.map((o) => (o.kind === 'SKIPPED' ? o.ec2ScanningOff?.kind : o.kind))).toEqual([
      'DISABLED_BY_POLICY',
      'POLICY_DOES_NOT_DISABLE',
      'NO_POLICY',
      'COMPLIANT',
    ]);
    expect(report).toEqual({
      asked: 2,
      disabledByPolicy: 1,
      disabledByPolicyIn: [{ region: 'eu-west-1', accountId: '111111111111' }],
      notDisabledByPolicy: 1,
      noPolicy: 1,
      notAsked: 0,
    });
    const [first] = explained;
    if (first?.kind !== 'SKIPPED' || first.ec2ScanningOff === undefined) throw new Error('no cause');
    expect(ec2ScanningOffText(first.ec2ScanningOff)).toBe(
      "disabled by the organization's Inspector policy (disable_in_regions: eu-west-1; enable_in_regions: us-east-1)",
    );
  });

  it.each(['AccessDeniedException', 'AWSOrganizationsNotInUseException'])(
    'on %s asks no other account for the rest of the run and says could not tell once',
    async (name) => {
      const organizations = reader({ '111111111111': named(name, 'You do not have permissions') });
      const outcomes = ['111111111111', '222222222222', '333333333333'].map((id) => off(id, 'eu-west-1'));

      const { outcomes: explained, report } = await explainEc2ScanningOff(outcomes, organizations, UNLIMITED);

      expect(organizations.calls).toEqual(['111111111111']);
      expect(report).toMatchObject({ asked: 1, notAsked: 2, disabledByPolicy: 0, noPolicy: 0 });
      expect(report?.couldNotTell).toMatch(
        new RegExp(`^could not tell .*\\(3 accounts\\): DescribeEffectivePolicy answered ${name}`),
      );
      expect(explained.every((o) => o.kind === 'SKIPPED' && o.ec2ScanningOff?.kind === 'COULD_NOT_TELL')).toBe(true);
    },
  );

  it("with the administrator's own account off and others refused, makes exactly 2 calls: one other account, then its own", async () => {
    const own = '000000000000';
    const organizations = reader({
      [own]: undefined,
      '111111111111': named('AccessDeniedException', 'You do not have permissions'),
      '222222222222': policy(['eu-west-1']),
    });
    const ids = [own, '111111111111', '222222222222', '333333333333', '444444444444', '555555555555'];
    const outcomes = ids.map((id) => off(id, 'eu-west-1'));

    const { outcomes: explained, report } = await explainEc2ScanningOff(outcomes, organizations, UNLIMITED, own);

    // Any account may read its own effective policy: asking it first would tell nothing about the others.
    expect(organizations.calls).toEqual(['111111111111', own]);
    expect(report).toMatchObject({ asked: 2, noPolicy: 1, notAsked: 4 });
    expect(report?.couldNotTell).toMatch(/\(5 accounts\): DescribeEffectivePolicy answered AccessDeniedException/);
    expect(explained.map((o) => (o.kind === 'SKIPPED' ? o.ec2ScanningOff?.kind : undefined))).toEqual([
      'NO_POLICY',
      'COULD_NOT_TELL',
      'COULD_NOT_TELL',
      'COULD_NOT_TELL',
      'COULD_NOT_TELL',
      'COULD_NOT_TELL',
    ]);
  });

  it('lists the account-regions the policy disabled, by region then account', async () => {
    const organizations = reader({
      '222222222222': policy(['eu-west-1', 'us-east-1']),
      '111111111111': policy(['eu-west-1']),
    });
    const outcomes = [
      off('222222222222', 'us-east-1'),
      off('222222222222', 'eu-west-1'),
      off('111111111111', 'eu-west-1'),
      off('111111111111', 'us-east-1'),
    ];

    const { report } = await explainEc2ScanningOff(outcomes, organizations, UNLIMITED);

    expect(report?.disabledByPolicyIn).toEqual([
      { region: 'eu-west-1', accountId: '111111111111' },
      { region: 'eu-west-1', accountId: '222222222222' },
      { region: 'us-east-1', accountId: '222222222222' },
    ]);
  });

  it('lists the first MAX_DISABLED_LISTED account-regions the policy disabled and counts them all', async () => {
    const ids = Array.from({ length: MAX_DISABLED_LISTED + 1 }, (_, i) => String(100000000000 + i));
    const organizations = reader(Object.fromEntries(ids.map((id) => [id, policy(['eu-west-1'])])));

    const { report } = await explainEc2ScanningOff(
      ids.map((id) => off(id, 'eu-west-1')),
      organizations,
      UNLIMITED,
    );

    expect(report?.disabledByPolicy).toBe(MAX_DISABLED_LISTED + 1);
    expect(report?.disabledByPolicyIn).toHaveLength(MAX_DISABLED_LISTED);
    expect(report?.disabledByPolicyIn[0]).toEqual({ region: 'eu-west-1', accountId: ids[0] });
  });

  it('a throttle that outlived the retries fails that account alone: the others are still asked', async () => {
    const organizations = reader({
      '111111111111': undefined,
      '222222222222': named('TooManyRequestsException', 'slow down'),
      '333333333333': policy(['eu-west-1']),
    });
    const outcomes = ['111111111111', '222222222222', '333333333333'].map((id) => off(id, 'eu-west-1'));

    const { outcomes: explained, report } = await explainEc2ScanningOff(outcomes, organizations, UNLIMITED);

    expect(organizations.calls).toHaveLength(3);
    expect(report?.couldNotTell).toBeUndefined();
    expect(explained.map((o) => (o.kind === 'SKIPPED' ? o.ec2ScanningOff?.kind : undefined))).toEqual([
      'NO_POLICY',
      'COULD_NOT_TELL',
      'DISABLED_BY_POLICY',
    ]);
  });

  it('makes no call when no account has EC2 scanning off, or once the deadline says stop, or with no reader', async () => {
    const organizations = reader({});
    const none = await explainEc2ScanningOff([compliant('111111111111', 'eu-west-1')], organizations, UNLIMITED);
    const late = await explainEc2ScanningOff([off('111111111111', 'eu-west-1')], organizations, {
      canContinue: () => false,
    });
    const noReader = await explainEc2ScanningOff([off('111111111111', 'eu-west-1')], undefined, UNLIMITED);

    expect(organizations.calls).toEqual([]);
    expect(none.report).toBeUndefined();
    expect(late.report).toMatchObject({ asked: 0, notAsked: 1 });
    expect(late.outcomes[0]).toMatchObject({ ec2ScanningOff: { kind: 'COULD_NOT_TELL' } });
    expect(noReader.outcomes[0]).not.toHaveProperty('ec2ScanningOff');
  });

  it('reads the region lists as values or under @@assign, and ignores what is not a region list', () => {
    expect(
      ec2ScanningPolicyOf(
        JSON.stringify({
          inspector: {
            enablement: { ec2_scanning: { enable_in_regions: { '@@assign': ['us-east-1'] }, disable_in_regions: 'x' } },
          },
        }),
      ),
    ).toEqual({ enableInRegions: ['us-east-1'], disableInRegions: [] });
    expect(ec2ScanningPolicyOf('{}')).toEqual({ enableInRegions: [], disableInRegions: [] });
  });
});
