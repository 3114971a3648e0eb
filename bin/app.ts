#!/usr/bin/env node
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { PolicyError } from '../lambda/reconciler/constructs-entry';
import { checkContextKeys, readConfig, SettingsError } from '../lib/config';
import { DeepInspectionStack } from '../lib/deep-inspection-stack';

const app = new App();
try {
  for (const key of checkContextKeys(Object.keys(app.node.getAllContext()))) {
    console.error(`Note: the CDK context key ${JSON.stringify(key)} is not a setting of this app; it is ignored.`);
  }
  const config = readConfig((key) => app.node.tryGetContext(key));
  new DeepInspectionStack(app, 'DeepInspectionReconciler', {
    config,
    description: 'Keeps Amazon Inspector EC2 deep inspection as the policy in SSM says, across the organization',
    // Deployed where the CLI's credentials point: the Inspector delegated administrator account.
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
} catch (error) {
  // A bad setting or policy is the user's to fix: its message says what and where, a stack trace would bury it.
  if (!(error instanceof SettingsError || error instanceof PolicyError)) throw error;
  // The half-built stack is not synthesized (and validated) at exit: the message is all there is to read.
  app.node.tryRemoveChild('DeepInspectionReconciler');
  console.error(`\n${error.message}\n`);
  process.exitCode = 1;
}
