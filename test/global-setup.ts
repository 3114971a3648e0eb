import { mkdirSync, symlinkSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import * as path from 'node:path';
import { emitWarningIfUnsupportedVersion } from '@aws-sdk/core';
import { FUNCTION_CACHE_VARIABLE } from '../local/function-cache';
import { MACHINE_TMPDIR_VARIABLE } from './support/machine-tmpdir';
import { makeTestRunDirectory, removeAbandonedTestRuns } from './support/test-run-directory';

/**
 * The AWS SDK tells once a process that it will soon need a newer Node (its own switch,
 * AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED, silences it), but Jest loads the SDK afresh for
 * every test file, so a run printed it once a file. Say it once for the run, here, in the SDK's own
 * words; the workers and the processes the tests start inherit the switch.
 *
 * The end-to-end suites run the function as `cdk deploy` would upload it: each settings' bundle is
 * synthesized once a run, by the first suite that needs it, into a directory of this run's that the
 * workers inherit (local/bundle.ts buildFunction); test/global-teardown.ts removes it.
 */
export default function globalSetup(): void {
  emitWarningIfUnsupportedVersion(process.version);
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  // An interrupted run gets no teardown: the next one removes what it left.
  removeAbandonedTestRuns(tmpdir());
  const run = makeTestRunDirectory(tmpdir());
  process.env[FUNCTION_CACHE_VARIABLE] = run;
  // Every temporary file of the run (synthesized stacks, policy files, saved plans, invocation results) in the
  // run's own directory, which the teardown removes; the workers and the processes they start inherit TMPDIR,
  // which os.tmpdir() reads.
  const temporary = path.join(run, 'tmp');
  mkdirSync(temporary);
  // But tsx's transform cache (os.tmpdir()/tsx-<euid>), which the command's processes would otherwise rebuild each
  // run, 0.7 s of CPU a process: it stays the machine's.
  const tsxCache = `tsx-${process.geteuid?.() ?? userInfo().username}`;
  mkdirSync(path.join(tmpdir(), tsxCache), { recursive: true });
  symlinkSync(path.join(tmpdir(), tsxCache), path.join(temporary, tsxCache), 'dir');
  // Where what later runs may read again is kept (test/docs/cdk-cli.ts: the CDK CLI's help, 9 s to print).
  process.env[MACHINE_TMPDIR_VARIABLE] = tmpdir();
  process.env.TMPDIR = temporary;
}
