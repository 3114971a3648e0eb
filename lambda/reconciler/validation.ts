import type * as z from 'zod';
import type { Problem } from './errors';

/** `['rules', 0, 'name']` → `$.rules[0].name` */
export function jsonPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (text, key) => (typeof key === 'number' ? `${text}[${key}]` : `${text}.${String(key)}`),
    '$',
  );
}

/** Flattens zod's issues into one problem per location, unknown keys one by one. */
export function problemsFrom(error: z.ZodError): Problem[] {
  return error.issues.flatMap((issue): Problem[] => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ path: jsonPath([...issue.path, key]), message: 'unknown key' }));
    }
    return [{ path: jsonPath(issue.path), message: issue.message }];
  });
}
