import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import type { ReconcilerConfig } from '../lib/config';
import { buildOnce, FUNCTION_CACHE_VARIABLE } from './function-cache';
import type { DeployedFunction, synthesizeFunction } from './synthesize-function';

export type { DeployedFunction } from './synthesize-function';

const run = promisify(execFile);
const INVOKER = path.join(__dirname, 'invoke-bundle.cjs');

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
  // aws-cdk-lib and the stack, loaded only to build: a suite whose function this test run already built reads
  // it from the cache, and loading them cost each end-to-end suite 0.4 s.
  const synthesize = (outdir: string) =>
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on demand, see above
    (require('./synthesize-function') as { synthesizeFunction: typeof synthesizeFunction }).synthesizeFunction(
      settings,
      outdir,
    );
  if (cacheDirectory === undefined) return synthesize(mkdtempSync(path.join(tmpdir(), 'cdk-e2e-')));
  // Keyed by the settings alone: the sources do not change within one test run.
  return buildOnce(cacheDirectory, Object.entries(settings).sort(), synthesize);
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
  const outcome = takeOutcome(resultFile);
  if (outcome === undefined) {
    throw new InvocationFailed(
      `the function's process died without an answer: ${crash?.message ?? ''} ${crash?.stderr?.slice(-2000) ?? ''}`,
    );
  }
  if (!outcome.ok) throw new InvocationFailed(`${outcome.error.name}: ${outcome.error.message}`);
  return {
    result: outcome.result,
    initMs: outcome.initMs,
    runMs: outcome.runMs,
    peakRssKiB: outcome.peakRssKiB,
    stdout,
  };
}

/** What local/invoke-bundle.cjs wrote: the handler's result or error, and its measurements. */
type Outcome = (
  | { readonly ok: true; readonly result: unknown }
  | { readonly ok: false; readonly error: { readonly name: string; readonly message: string } }
) & { readonly initMs: number; readonly runMs: number; readonly peakRssKiB: number };

/** Reads the invoker's answer, if its process wrote one, and removes the directory it was written to. */
function takeOutcome(resultFile: string): Outcome | undefined {
  try {
    return existsSync(resultFile) ? (JSON.parse(readFileSync(resultFile, 'utf8')) as Outcome) : undefined;
  } finally {
    rmSync(path.dirname(resultFile), { recursive: true, force: true });
  }
}
