import { readFileSync } from 'node:fs';
import { PolicyError } from '../errors/errors';

/**
 * A policy file's bytes, for `cdk synth` and the command line: a file that cannot be read is a
 * PolicyError that says which and what to do, not Node's ENOENT or EISDIR.
 */
export function readPolicyFile(file: string, display: string = file): Uint8Array {
  try {
    return readFileSync(file);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    const why: Record<string, string> = {
      ENOENT: 'no such file: check the path (relative paths are read from the current directory)',
      EISDIR: 'is a directory, not a file: give the policy file in it (policy.json, say)',
      EACCES: 'not readable (permission denied): check its permissions',
      ENOTDIR: 'a part of the path is not a directory: check the path',
    };
    throw new PolicyError(
      display,
      [{ path: '$', message: why[code ?? ''] ?? `cannot be read: ${(cause as Error).message}` }],
      { cause },
    );
  }
}
