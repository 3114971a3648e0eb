import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Validations } from 'aws-cdk-lib';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { readConfig } from '../../lib/config';
import { DeepInspectionStack } from '../../lib/deep-inspection-stack';
import { testApp } from '../support/app';

/*
 * cdk-nag's AwsSolutionsChecks on the stack, with the setting off (the default) and with securityHubFindings on.
 * Both are in this one suite because the synths that assert the validation report is empty keep aws-cdk-lib's
 * built-in CloudFormation validation, whose engine takes about 10 s to start: once a suite (it is a singleton
 * of the module registry, which Jest makes anew for every suite), so once here rather than once in each of
 * stack.test.ts and findings.test.ts.
 */

const ROOT = path.join(__dirname, '..', '..');
const env = { account: '111122223333', region: 'eu-west-1' };
const defaults = readConfig(() => undefined);

describe('cdk-nag AwsSolutionsChecks', () => {
  it('reports no unacknowledged error or warning on the stack', () => {
    const outdir = mkdtempSync(path.join(tmpdir(), 'cdk-out-'));
    const app = testApp({ outdir, builtinCloudFormationValidation: true });
    new DeepInspectionStack(app, 'Nag', { env, config: defaults, baseDirectory: ROOT });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));

    expect(() => app.synth()).not.toThrow();
    const report = JSON.parse(readFileSync(path.join(outdir, 'validation-report.json'), 'utf8'));
    expect(report.pluginReports.flatMap((p: { violations?: unknown[] }) => p.violations ?? [])).toEqual([]);
  });

  it('acknowledges only findings that exist: every acknowledgement matches one', () => {
    const app = testApp();
    const stack = new DeepInspectionStack(app, 'Nag', { env, config: defaults, baseDirectory: ROOT });
    const checks = new AwsSolutionsChecks(app);
    // Records every acknowledgement cdk-nag consults for a finding it has.
    const used = new Set<string>();
    const consulted = checks as unknown as { isAcknowledged(node: IConstruct, ruleId: string): boolean };
    const original = consulted.isAcknowledged.bind(checks);
    consulted.isAcknowledged = (node, ruleId) => {
      const acknowledged = original(node, ruleId);
      if (acknowledged) used.add(ruleId);
      return acknowledged;
    };
    checks.validateScope(stack);

    const declared = stack.node
      .findAll()
      .flatMap((construct) => construct.node.metadata)
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) => Object.keys(entry.data as object).map((id) => id.replace(/^annotation::/i, '')));
    expect(declared.length).toBeGreaterThan(0);
    expect([...new Set(declared)].filter((id) => !used.has(id))).toEqual([]);
  });

  it('does fail synth on a finding that is not acknowledged', () => {
    const app = testApp({
      outdir: mkdtempSync(path.join(tmpdir(), 'cdk-out-')),
      builtinCloudFormationValidation: true,
    });
    const stack = new DeepInspectionStack(app, 'Nag', { env, config: defaults, baseDirectory: ROOT });
    // A topic that does not require SSL is an AwsSolutions finding (SNS3) that nothing acknowledges.
    new sns.Topic(stack, 'Unencrypted', { enforceSSL: false });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => app.synth()).toThrow(/AwsSolutions-SNS3/);
  });
});

describe('securityHubFindings on', () => {
  it('passes cdk-nag: the product ARN, and "*" for the two reads, each acknowledged with its reason', () => {
    const outdir = mkdtempSync(path.join(tmpdir(), 'cdk-out-'));
    const app = testApp({ outdir, builtinCloudFormationValidation: true });
    new DeepInspectionStack(app, 'Nag', {
      env,
      config: { ...readConfig(() => undefined), securityHubFindings: true },
      baseDirectory: ROOT,
    });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));

    expect(() => app.synth()).not.toThrow();
    const report = JSON.parse(readFileSync(path.join(outdir, 'validation-report.json'), 'utf8'));
    expect(report.pluginReports.flatMap((p: { violations?: unknown[] }) => p.violations ?? [])).toEqual([]);
  });

  it('acknowledges the Security Hub product ARN with the account as cdk-nag writes it when the account is a token', () => {
    const app = testApp();
    new DeepInspectionStack(app, 'Agnostic', {
      config: { ...readConfig(() => undefined), securityHubFindings: true },
      baseDirectory: ROOT,
    });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => app.synth()).not.toThrow();
  });
});
