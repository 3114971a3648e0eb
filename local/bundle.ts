import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { App } from 'aws-cdk-lib';
import { readConfig } from '../lib/config';
import { DeepInspectionStack } from '../lib/deep-inspection-stack';

const run = promisify(execFile);
const INVOKER = path.join(__dirname, 'invoke-bundle.cjs');

/**
 * Synthesizes the stack with real bundling and returns the directory of the function's asset:
 * the very esbuild output `cdk deploy` uploads.
 */
export function buildBundle(): string {
  const outdir = mkdtempSync(path.join(tmpdir(), 'cdk-e2e-'));
  const app = new App({ outdir });
  new DeepInspectionStack(app, 'E2E', {
    config: readConfig(() => undefined),
    baseDirectory: path.join(__dirname, '..'),
    env: { account: '111122223333', region: 'us-east-1' },
  });
  app.synth();
  const assets = readdirSync(outdir).filter((name) => name.startsWith('asset.'));
  if (assets.length !== 1) throw new Error(`expected one asset in ${outdir}, found ${assets.join(', ')}`);
  return path.join(outdir, assets[0] as string);
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
  await run(process.execPath, [INVOKER, bundleDirectory, JSON.stringify(event), accountId, resultFile], {
    env: { PATH: process.env.PATH ?? '', ...env },
    maxBuffer: 64 * 1024 * 1024,
  }).catch(() => undefined); // the result file says what happened
  const outcome = JSON.parse(readFileSync(resultFile, 'utf8'));
  if (!outcome.ok) throw new InvocationFailed(`${outcome.error.name}: ${outcome.error.message}`);
  return { result: outcome.result, initMs: outcome.initMs, runMs: outcome.runMs, peakRssKiB: outcome.peakRssKiB };
}
