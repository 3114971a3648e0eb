import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { App } from 'aws-cdk-lib';
import { type ReconcilerConfig, readConfig } from '../lib/config';
import { DeepInspectionStack } from '../lib/deep-inspection-stack';
import { buildOnce, FUNCTION_CACHE_VARIABLE } from './function-cache';

const run = promisify(execFile);
const INVOKER = path.join(__dirname, 'invoke-bundle.cjs');

/** The function as the stack deploys it: its bundle, and the settings the bundle runs with. */
export interface DeployedFunction {
  /** The directory of the function's asset: the very esbuild output `cdk deploy` uploads. */
  readonly bundle: string;
  /** The environment variables the stack sets to literal values (NODE_OPTIONS, log level…). */
  readonly environment: Record<string, string>;
  readonly memoryMiB: number;
}

/**
 * Synthesizes the stack with real bundling and reads the function's bundle and settings from it.
 * @param settings stack settings over the defaults (securityHubFindings, say), as `-c key=value` would give them
 * @param cacheDirectory where one run of the tests keeps each settings' function, built once and shared by
 *   every suite and worker (test/global-setup.ts makes it and names it in FUNCTION_CACHE_VARIABLE); none: build anew
 */
export function buildFunction(
  settings: Partial<ReconcilerConfig> = {},
  cacheDirectory: string | undefined = process.env[FUNCTION_CACHE_VARIABLE],
): DeployedFunction {
  if (cacheDirectory === undefined) return synthesizeFunction(settings, mkdtempSync(path.join(tmpdir(), 'cdk-e2e-')));
  // Keyed by the settings alone: the sources do not change within one test run.
  return buildOnce(cacheDirectory, Object.entries(settings).sort(), (directory) =>
    synthesizeFunction(settings, directory),
  );
}

/** Synthesizes the stack into `outdir`, bundling the function as `cdk synth` does. */
function synthesizeFunction(settings: Partial<ReconcilerConfig>, outdir: string): DeployedFunction {
  // Asset metadata, as the CDK CLI sets it: each function names its asset's directory. aws-cdk-lib's built-in
  // CloudFormation validation reads the template, not the asset, and only warns; its engine costs about 8 s of
  // CPU a process to start, so the bundle is built without it (test/infra/cdk-nag.test.ts asserts its report
  // on the stack is empty, and `cdk synth` runs it).
  const app = new App({
    outdir,
    context: { 'aws:cdk:enable-asset-metadata': true },
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

/** The directory of the function's asset: the very esbuild output `cdk deploy` uploads. */
export function buildBundle(): string {
  return buildFunction().bundle;
}

export class InvocationFailed extends Error {}

export interface Invocation {
  readonly result: unknown;
  /** Time to require the bundle: the module initialization Lambda runs once per container. */
  readonly initMs: number;
  /** The handler's own duration, from invocation to its answer: what Lambda bills and times out. */
  readonly runMs: number;
  /** Peak resident memory of the process that ran it, initialization included. */
  readonly peakRssKiB: number;
  /** What the function wrote to stdout: its log lines and its metrics (EMF), one JSON document a line. */
  readonly stdout: string;
}

/** Invokes the bundle in a fresh Node process, as Lambda would, with this environment. */
export async function invokeBundle(
  bundleDirectory: string,
  event: unknown,
  accountId: string,
  env: Record<string, string>,
): Promise<unknown> {
  return (await invokeBundleMeasured(bundleDirectory, event, accountId, env)).result;
}

/** The same, with the child's module initialization time and peak memory. */
export async function invokeBundleMeasured(
  bundleDirectory: string,
  event: unknown,
  accountId: string,
  env: Record<string, string>,
): Promise<Invocation> {
  const resultFile = path.join(mkdtempSync(path.join(tmpdir(), 'invoke-')), 'result.json');
  let stdout = '';
  const crash = await run(process.execPath, [INVOKER, bundleDirectory, JSON.stringify(event), accountId, resultFile], {
    env: { PATH: process.env.PATH ?? '', ...env },
    maxBuffer: 64 * 1024 * 1024,
  }).then(
    (output) => {
      stdout = output.stdout;
      return undefined;
    },
    (error: Error & { stderr?: string; stdout?: string }) => {
      stdout = error.stdout ?? '';
      return error; // the result file says what happened, if there is one
    },
  );
  if (!existsSync(resultFile)) {
    throw new InvocationFailed(
      `the function's process died without an answer: ${crash?.message ?? ''} ${crash?.stderr?.slice(-2000) ?? ''}`,
    );
  }
  const outcome = JSON.parse(readFileSync(resultFile, 'utf8'));
  if (!outcome.ok) throw new InvocationFailed(`${outcome.error.name}: ${outcome.error.message}`);
  return {
    result: outcome.result,
    initMs: outcome.initMs,
    runMs: outcome.runMs,
    peakRssKiB: outcome.peakRssKiB,
    stdout,
  };
}
