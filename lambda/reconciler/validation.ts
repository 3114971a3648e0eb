import { distance } from 'fastest-levenshtein';
import type * as z from 'zod';
import type { Problem } from './errors/errors';

/** `['rules', 0, 'name']` → `$.rules[0].name` */
export function jsonPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (text, key) => (typeof key === 'number' ? `${text}[${key}]` : `${text}.${String(key)}`),
    '$',
  );
}

/** What was validated, so that a problem can name what was expected there and the nearestKey known key. */
export interface ValidationContext {
  readonly schema: z.ZodType;
  readonly input: unknown;
}

/**
 * Flattens zod's issues into one problem per location, unknown keys one by one. With the schema and
 * the input, each says what to do: a missing value "is required" with what it takes, an unknown key
 * names the nearestKey known one (`defualt` → did you mean "default"?) and the keys allowed there, and a
 * value no alternative takes lists the alternatives, instead of zod's "Invalid input".
 */
export function problemsFrom(error: z.ZodError, context?: ValidationContext): Problem[] {
  return error.issues.flatMap((issue): Problem[] => {
    if (issue.code === 'unrecognized_keys') {
      const known = context ? keysAt(context.schema, issue.path) : [];
      return issue.keys.map((key) => ({
        path: jsonPath([...issue.path, key]),
        message: unknownKeyMessage(key, known),
      }));
    }
    if (context && isZodDefaultMessage(issue)) {
      const value = valueAt(context.input, issue.path);
      const expected = describeExpected(schemaAt(context.schema, issue.path));
      const message =
        value === undefined
          ? `is required${expected ? `: ${expected}` : ''}`
          : `${JSON.stringify(value)} is not ${expected ?? 'valid here'}`;
      return [{ path: jsonPath(issue.path), message }];
    }
    return [{ path: jsonPath(issue.path), message: issue.message }];
  });
}

/** The nearestKey known key, when it is near enough to be a typo: at most a third of its letters differ. */
export function nearestKey(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const apart = distance(word.toLowerCase(), candidate.toLowerCase());
    if (apart < bestDistance) [best, bestDistance] = [candidate, apart];
  }
  return best !== undefined && bestDistance <= Math.max(1, Math.floor(best.length / 3)) ? best : undefined;
}

function unknownKeyMessage(key: string, known: readonly string[]): string {
  if (known.length === 0) return 'unknown key';
  const suggestion = nearestKey(key, known);
  return `unknown key${suggestion ? `: did you mean "${suggestion}"?` : ''} (allowed here: ${known.join(', ')})`;
}

/** zod's own wording ("Invalid input…"), which says neither what was expected nor what to do. */
function isZodDefaultMessage(issue: z.core.$ZodIssue): boolean {
  return (issue.code === 'invalid_union' || issue.code === 'invalid_type') && issue.message.startsWith('Invalid input');
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

interface Def {
  readonly type: string;
  readonly shape?: Record<string, z.ZodType>;
  readonly element?: z.ZodType;
  readonly innerType?: z.ZodType;
  readonly in?: z.ZodType;
  readonly options?: readonly z.ZodType[];
  readonly entries?: Record<string, string | number>;
  readonly values?: readonly unknown[];
}

function defOf(schema: z.ZodType): Def {
  return (schema as unknown as { _zod: { def: Def } })._zod.def;
}

/** Through the wrappers that do not change what a value may be. */
function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  for (;;) {
    const def = defOf(current);
    const inner = def.type === 'pipe' ? def.in : def.innerType;
    if (inner === undefined || !['optional', 'default', 'nullable', 'pipe', 'readonly', 'prefault'].includes(def.type))
      return current;
    current = inner;
  }
}

/** The schemas a value at this path may be checked against (several under a union). */
function schemasAt(schema: z.ZodType, path: readonly PropertyKey[]): z.ZodType[] {
  let current = [unwrap(schema)];
  for (const key of path) {
    current = current.flatMap(expandUnion).flatMap((candidate): z.ZodType[] => {
      const def = defOf(candidate);
      if (def.type === 'object' && typeof key === 'string' && def.shape?.[key]) return [unwrap(def.shape[key])];
      if (def.type === 'array' && typeof key === 'number' && def.element) return [unwrap(def.element)];
      return [];
    });
  }
  return current;
}

function expandUnion(schema: z.ZodType): z.ZodType[] {
  const def = defOf(schema);
  return def.type === 'union' && def.options ? def.options.map(unwrap).flatMap(expandUnion) : [schema];
}

function schemaAt(schema: z.ZodType, path: readonly PropertyKey[]): z.ZodType | undefined {
  return schemasAt(schema, path)[0];
}

/** The keys an object at this path may have, in the schema's order. */
export function keysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  const keys = schemasAt(schema, path)
    .flatMap(expandUnion)
    .flatMap((candidate) => Object.keys(defOf(candidate).shape ?? {}));
  return [...new Set(keys)];
}

/** "one of ACTIVATED, DEACTIVATED, UNMANAGED, or an object with deepInspection, enforcement". */
function describeExpected(schema: z.ZodType | undefined): string | undefined {
  if (schema === undefined) return undefined;
  const alternatives = expandUnion(unwrap(schema)).map(describeOne);
  const enums = [
    ...new Set(alternatives.flatMap((alternative) => (alternative.kind === 'values' ? alternative.values : []))),
  ];
  const others = alternatives.flatMap((alternative) => (alternative.kind === 'text' ? [alternative.text] : []));
  const parts = [...(enums.length > 0 ? [`one of ${enums.join(', ')}`] : []), ...others];
  return parts.length === 0 ? undefined : parts.join(', or ');
}

function describeOne(schema: z.ZodType): { kind: 'values'; values: string[] } | { kind: 'text'; text: string } {
  const def = defOf(schema);
  switch (def.type) {
    case 'enum':
      return { kind: 'values', values: Object.values(def.entries ?? {}).map(String) };
    case 'literal':
      return { kind: 'values', values: (def.values ?? []).map((value) => JSON.stringify(value)) };
    case 'object':
      return { kind: 'text', text: `an object with ${Object.keys(def.shape ?? {}).join(', ')}` };
    case 'array':
      return { kind: 'text', text: 'an array' };
    case 'boolean':
      return { kind: 'values', values: ['true', 'false'] };
    default:
      return { kind: 'text', text: `a ${def.type}` };
  }
}
