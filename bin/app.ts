#!/usr/bin/env node
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { readConfig } from '../lib/config';
import { DeepInspectionStack } from '../lib/deep-inspection-stack';

const app = new App();
const config = readConfig((key) => app.node.tryGetContext(key));
new DeepInspectionStack(app, 'DeepInspectionReconciler', {
  config,
  description: 'Keeps Amazon Inspector EC2 deep inspection as the policy in SSM says, across the organization',
  // Deployed where the CLI's credentials point: the Inspector delegated administrator account.
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
});
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
