import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { type ReconcilerConfig, readConfig } from '../../lib/config';
import { DeepInspectionStack } from '../../lib/deep-inspection-stack';
import { testApp } from '../support/app';

/** The stack's securityHubFindings setting: off by default, and what turning it on adds, exactly. */

const ROOT = path.join(__dirname, '..', '..');
const env = { account: '111122223333', region: 'eu-west-1' };

function synth(config: Partial<ReconcilerConfig> = {}): Template {
  const app = testApp();
  const stack = new DeepInspectionStack(app, 'Test', {
    env,
    config: { ...readConfig(() => undefined), ...config },
    baseDirectory: ROOT,
  });
  return Template.fromStack(stack);
}

type Statement = { Effect: string; Action: string | string[]; Resource: unknown };

/** The statements of the reconciler function's own policy (not the schedule's, not the ledger creator's). */
function functionStatements(template: Template): Statement[] {
  const policies = Object.entries(template.findResources('AWS::IAM::Policy')).filter(([id]) =>
    id.startsWith('ReconcilerRoleDefaultPolicy'),
  );
  expect(policies).toHaveLength(1);
  return policies[0]?.[1].Properties.PolicyDocument.Statement;
}

const mentionsSecurityHub = (value: unknown) => /securityhub/i.test(JSON.stringify(value));

function dashboardBody(template: Template): string {
  const [dashboard] = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
  return JSON.stringify(dashboard?.Properties.DashboardBody);
}

type Widget = { properties: { title: string; metrics: unknown[][] } };

/** The dashboard's widgets, its CloudFormation tokens written as `<token>`. */
function widgets(template: Template): Widget[] {
  const [dashboard] = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
  const parts = dashboard?.Properties.DashboardBody['Fn::Join'][1] as unknown[];
  return JSON.parse(parts.map((part) => (typeof part === 'string' ? part : '<token>')).join('')).widgets;
}

function reconcilerEnvironment(template: Template): Record<string, unknown> {
  const functions = Object.values(template.findResources('AWS::Lambda::Function')).filter(
    (fn) => fn.Properties.Environment?.Variables?.POLICY_PARAMETER_NAME !== undefined,
  );
  expect(functions).toHaveLength(1);
  return functions[0]?.Properties.Environment.Variables;
}

const alarmNames = (template: Template) =>
  Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((alarm) => alarm.Properties.AlarmName as string);

describe('securityHubFindings off (the default)', () => {
  const template = synth();

  it('is off unless set: readConfig and cdk.json say false, and "true" on the command line turns it on', () => {
    expect(readConfig(() => undefined).securityHubFindings).toBe(false);
    const cdkJson = JSON.parse(readFileSync(path.join(ROOT, 'cdk.json'), 'utf8'));
    expect(cdkJson.context.securityHubFindings).toBe(false);
    expect(readConfig((key) => (key === 'securityHubFindings' ? 'true' : undefined)).securityHubFindings).toBe(true);
    expect(() => readConfig((key) => (key === 'securityHubFindings' ? 'yes' : undefined))).toThrow(
      /securityHubFindings/,
    );
  });

  it('grants no Security Hub action at all, anywhere in the stack', () => {
    for (const policy of Object.values(template.findResources('AWS::IAM::Policy'))) {
      expect(mentionsSecurityHub(policy.Properties.PolicyDocument)).toBe(false);
    }
    expect(mentionsSecurityHub(template.findResources('AWS::IAM::Role'))).toBe(false);
  });

  it('tells the function nothing: no SECURITY_HUB_FINDINGS, so it makes no Security Hub call', () => {
    expect(reconcilerEnvironment(template)).not.toHaveProperty('SECURITY_HUB_FINDINGS');
  });

  it('adds no findings alarm and no findings graph, bar the one that says the policy asks for what is not granted', () => {
    expect(alarmNames(template).filter((name) => /SecurityHub|Findings/.test(name))).toEqual([
      'Test-FindingsNotGranted',
    ]);
    expect(dashboardBody(template)).not.toMatch(/OpenExceptions|FindingsImported/);
  });
});

describe('securityHubFindings on', () => {
  const off = synth();
  const on = synth({ securityHubFindings: true });

  it('adds exactly two statements to the function’s role, and changes no other', () => {
    const added = functionStatements(on).filter(mentionsSecurityHub);
    expect(added).toEqual([
      {
        Effect: 'Allow',
        Action: 'securityhub:BatchImportFindings',
        // This account's own default product, in any region: the only product it may import to.
        Resource: {
          'Fn::Join': [
            '',
            ['arn:', { Ref: 'AWS::Partition' }, ':securityhub:*:111122223333:product/111122223333/default'],
          ],
        },
      },
      { Effect: 'Allow', Action: 'securityhub:GetFindings', Resource: '*' },
    ]);
    expect(functionStatements(on).filter((statement) => !mentionsSecurityHub(statement))).toEqual(
      functionStatements(off),
    );
    // Never the fields people own.
    expect(JSON.stringify(functionStatements(on))).not.toContain('BatchUpdateFindings');
  });

  it('tells the function the stack granted them: SECURITY_HUB_FINDINGS "true"', () => {
    expect(reconcilerEnvironment(on)).toMatchObject({ SECURITY_HUB_FINDINGS: 'true' });
  });

  it('alarms when a region has no Security Hub, on RegionsWithoutSecurityHub at the schedule’s period', () => {
    on.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'Test-SecurityHubNotEnabled',
      Namespace: 'DeepInspectionReconciler',
      MetricName: 'RegionsWithoutSecurityHub',
      Dimensions: [{ Name: 'service', Value: 'deep-inspection-reconciler' }],
      Statistic: 'Maximum',
      Period: 3600,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Threshold: 1,
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
      AlarmActions: [{ Ref: Match.stringLikeRegexp('^AlarmsTopic') }],
    });
  });

  it('alarms when findings are refused or a region’s findings cannot be synced: FindingsFailed + FindingsRegionErrors', () => {
    const [alarm] = Object.values(
      on.findResources('AWS::CloudWatch::Alarm', { Properties: { AlarmName: 'Test-FindingsNotImported' } }),
    );
    expect(alarm?.Properties).toMatchObject({
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Threshold: 1,
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
    });
    const metrics = alarm?.Properties.Metrics as {
      Id: string;
      Expression?: string;
      MetricStat?: { Metric: { MetricName: string; Namespace: string }; Period: number; Stat: string };
    }[];
    expect(metrics.find((metric) => metric.Expression)?.Expression).toBe('failed + regionErrors');
    expect(
      metrics
        .filter((metric) => metric.MetricStat)
        .map((metric) => [
          metric.Id,
          metric.MetricStat?.Metric.Namespace,
          metric.MetricStat?.Metric.MetricName,
          metric.MetricStat?.Stat,
          metric.MetricStat?.Period,
        ]),
    ).toEqual([
      ['failed', 'DeepInspectionReconciler', 'FindingsFailed', 'Maximum', 3600],
      ['regionErrors', 'DeepInspectionReconciler', 'FindingsRegionErrors', 'Maximum', 3600],
    ]);
  });

  it('adds exactly the alarms docs/findings.md lists, each on the metrics it names', () => {
    const added = alarmNames(on).filter((name) => !alarmNames(off).includes(name));
    const page = readFileSync(path.join(ROOT, 'docs', 'findings.md'), 'utf8');
    const section = page.split('## Alarms')[1]?.split('\n## ')[0] ?? '';
    const rows = section
      .split('\n')
      .filter((line) => line.startsWith('| ') && !line.startsWith('| alarm ') && !line.startsWith('| ---'))
      .map((line) => line.split('|').map((cell) => cell.trim()));
    const documented = rows.map(([, name = '', metric = '']) => [
      `Test-${name.replace(/`/g, '')}`,
      [...metric.matchAll(/`([^`]+)`/g)].map((m) => m[1]).sort(),
    ]);
    const actual = added.map((name) => {
      const [alarm] = Object.values(on.findResources('AWS::CloudWatch::Alarm', { Properties: { AlarmName: name } }));
      const p = alarm?.Properties;
      const names: string[] = p.MetricName
        ? [p.MetricName]
        : p.Metrics.flatMap((m: { MetricStat?: { Metric: { MetricName: string } } }) =>
            m.MetricStat ? [m.MetricStat.Metric.MetricName] : [],
          );
      return [name, names.sort()];
    });
    expect(documented.sort()).toEqual(actual.sort());
  });

  it('graphs the open exceptions by reason, and the findings each run imports, archives and cannot deliver', () => {
    const added = widgets(on).slice(widgets(off).length);
    expect(added.map((widget) => widget.properties.title)).toEqual([
      'Open exceptions by reason: the Security Hub findings each run leaves open',
      expect.stringMatching(/^Security Hub findings per run/),
    ]);
    const [exceptions, findings] = added;
    // A search: every reason the function publishes, none fixed at synth.
    expect(exceptions?.properties.metrics).toEqual([
      [
        expect.objectContaining({
          expression: `SEARCH('{DeepInspectionReconciler,Reason,service} MetricName="OpenExceptions"', 'Maximum', 3600)`,
        }),
      ],
    ]);
    expect(findings?.properties.metrics.map((line) => line[1])).toEqual([
      'FindingsImported',
      'FindingsArchived',
      'FindingsFailed',
      'FindingsRegionErrors',
      'RegionsWithoutSecurityHub',
    ]);
  });
});
