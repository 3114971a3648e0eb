import { rmSync } from 'node:fs';
import { FUNCTION_CACHE_VARIABLE } from '../local/function-cache';

/** Removes the functions this run built and every temporary file it wrote (test/global-setup.ts). */
export default function globalTeardown(): void {
  const directory = process.env[FUNCTION_CACHE_VARIABLE];
  if (directory !== undefined) rmSync(directory, { recursive: true, force: true });
}
