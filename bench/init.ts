import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import type { DeployedFunction } from '../local/bundle';

/**
 * Module initialization of the bundle, as a cold start runs it: `require` of index.js in a fresh
 * Node process with the function's NODE_OPTIONS, one process after another, nothing else running.
 * Returns the times in milliseconds, sorted.
 */
export function measureInit(fn: DeployedFunction, coldStarts: number): number[] {
  const script =
    'const started = process.hrtime.bigint();' +
    `require(${JSON.stringify(path.join(fn.bundle, 'index.js'))});` +
    'process.stdout.write(String(Number(process.hrtime.bigint() - started) / 1e6));';
  const times = Array.from({ length: coldStarts }, () =>
    Number(
      execFileSync(process.execPath, ['-e', script], {
        env: { PATH: process.env.PATH ?? '', NODE_OPTIONS: fn.environment.NODE_OPTIONS ?? '', AWS_REGION: 'us-east-1' },
        encoding: 'utf8',
      }),
    ),
  );
  return times.sort((a, b) => a - b);
}
