import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { DISABLE_CREATION_STACK_TRACES, ASSET_RESOURCE_METADATA_ENABLED_CONTEXT } from 'aws-cdk-lib/cx-api';
import { type ReconcilerConfig, readConfig } from '../lib/config';
import { DeepInspectionStack } from '../lib/deep-inspection-stack';

/** The function as the stack deploys it: its bundle, and the settings the bundle runs with. */
export interface DeployedFunction {
  /** The directory of the function's asset: the very esbuild output `cdk deploy` uploads. */
  readonly bundle: string;
  /** The environment variables the stack sets to literal values (NODE_OPTIONS, log level…). */
  readonly environment: Record<string, string>;
  readonly memoryMiB: number;
}

/** Synthesizes the stack into `outdir`, bundling the function as `cdk synth` does. */
export function synthesizeFunction(settings: Partial<ReconcilerConfig>, outdir: string): DeployedFunction {
  // Asset metadata, as the CDK CLI sets it: each function names its asset's directory. aws-cdk-lib's built-in
  // CloudFormation validation reads the template, not the asset, and only warns; its engine costs about 8 s of
  // CPU a process to start, so the bundle is built without it (test/infra/cdk-nag.test.ts asserts its report
  // on the stack is empty, and `cdk synth` runs it). Nor does it record each construct's creation stack trace, which
  // only `cdk synth --debug` reads (aws-cdk-lib cx-api DISABLE_CREATION_STACK_TRACES: "for performance reasons").
  const app = new App({
    outdir,
    context: { [ASSET_RESOURCE_METADATA_ENABLED_CONTEXT]: true, [DISABLE_CREATION_STACK_TRACES]: true },
    builtinCloudFormationValidation: false,
  });
  const stack = new DeepInspectionStack(app, 'E2E', {
    config: { ...readConfig(() => undefined), ...settings },
    baseDirectory: path.join(__dirname, '..'),
    env: { account: '111122223333', region: 'us-east-1' },
  });
  app.synth();
  const template = JSON.parse(readFileSync(path.join(outdir, `${stack.artifactId}.template.json`), 'utf8'));
  // The reconciler is the function that reads the policy; the stack's other one creates the ledger at deploy.
  const functions = Object.values(template.Resources as Record<string, FunctionResource>).filter(
    (resource) =>
      resource.Type === 'AWS::Lambda::Function' &&
      resource.Properties.Environment?.Variables?.POLICY_PARAMETER_NAME !== undefined,
  );
  if (functions.length !== 1)
    throw new Error(`expected one reconciler function in the template, found ${functions.length}`);
  const [{ Properties: properties, Metadata: metadata }] = functions as [FunctionResource];
  const asset = metadata?.['aws:asset:path'];
  if (asset === undefined || !existsSync(path.join(outdir, asset))) {
    throw new Error(`the reconciler function names no asset in ${outdir}: ${asset}`);
  }
  const environment = Object.fromEntries(
    Object.entries(properties.Environment?.Variables ?? {}).filter(
      (entry): entry is [string, string] => typeof entry[1] === 'string',
    ),
  );
  return { bundle: path.join(outdir, asset), environment, memoryMiB: properties.MemorySize };
}

interface FunctionResource {
  readonly Type: string;
  readonly Properties: {
    readonly MemorySize: number;
    readonly Environment?: { readonly Variables?: Record<string, unknown> };
  };
  readonly Metadata?: Record<string, string>;
}
