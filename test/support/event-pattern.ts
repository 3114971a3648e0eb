/**
 * A minimal offline EventBridge event-pattern matcher, for the operators this stack's rules use, so that
 * the template's patterns are tested by matching AWS-shaped events rather than by reading their text.
 * No maintained offline matcher is on npm; AWS's own is the `TestEventPattern` API, which needs an account.
 *
 * Semantics, from the EventBridge User Guide:
 * - "Event patterns" (eb-event-patterns): every field the pattern names must be in the event, with the same
 *   nesting; fields the pattern does not name are ignored; a field's value is an array of alternatives;
 *   strings match character by character, no case folding; `null` matches a null value.
 * - "Arrays in event patterns" (eb-event-patterns-arrays): when the event's value is an array, the field
 *   matches if any element matches.
 * - "Content filtering" / "Comparison operators" (eb-event-patterns-content-based-filtering,
 *   eb-create-pattern-operators): `prefix`; `exists` (leaf nodes only: an object counts as absent);
 *   `anything-but` with one value, a list, or `{ prefix }` (a field that is absent does not match it);
 *   `$or`, whose branches are each a pattern at that level, ANDed with the level's other fields.
 *
 * Anything else (numeric, cidr, suffix, wildcard, equals-ignore-case, …) throws: a pattern this matcher
 * cannot judge must fail the test that uses it, never match or miss by accident.
 */
export type EventPattern = { [field: string]: unknown };

export function matchesEventPattern(pattern: EventPattern, event: unknown): boolean {
  return matchesObject(pattern, event, '$');
}

function matchesObject(pattern: EventPattern, value: unknown, path: string): boolean {
  // An array of objects in the event: the sub-pattern matches if one element matches it whole.
  if (Array.isArray(value)) return value.some((element) => matchesObject(pattern, element, path));
  const object = isObject(value) ? value : undefined;
  return Object.entries(pattern).every(([field, expected]) => {
    const fieldPath = `${path}.${field}`;
    if (field === '$or') {
      if (!Array.isArray(expected) || expected.length < 2) {
        throw new Error(`${fieldPath}: $or takes an array of at least two patterns`);
      }
      return expected.some((branch, i) => matchesObject(asPattern(branch, `${fieldPath}[${i}]`), value, path));
    }
    const actual = object?.[field];
    if (Array.isArray(expected))
      return matchesField(expected, actual, object !== undefined && field in object, fieldPath);
    // An absent parent is no error: its fields are then absent, which only `exists: false` matches.
    if (isObject(expected)) return matchesObject(expected, actual, fieldPath);
    throw new Error(`${fieldPath}: a pattern field must be an array of values or a nested pattern`);
  });
}

function matchesField(matchers: unknown[], actual: unknown, present: boolean, path: string): boolean {
  // Exists matching looks at leaf nodes only: an object (or an array of objects) is not a present leaf.
  const leafPresent = present && !isObject(actual) && !(Array.isArray(actual) && actual.some(isObject));
  return matchers.some((matcher, i) => {
    const matcherPath = `${path}[${i}]`;
    if (isObject(matcher) && 'exists' in matcher) {
      if (typeof matcher.exists !== 'boolean') throw new Error(`${matcherPath}: exists takes true or false`);
      return matcher.exists === leafPresent;
    }
    if (!leafPresent) return false;
    const values = Array.isArray(actual) ? actual : [actual];
    return values.some((value) => matchesValue(matcher, value, matcherPath));
  });
}

function matchesValue(matcher: unknown, value: unknown, path: string): boolean {
  if (!isObject(matcher)) {
    if (matcher === null || ['string', 'number', 'boolean'].includes(typeof matcher)) return matcher === value;
    throw new Error(`${path}: unsupported matcher ${JSON.stringify(matcher)}`);
  }
  const keys = Object.keys(matcher);
  if (keys.length !== 1) throw new Error(`${path}: a matcher object has exactly one operator, got ${keys.join(', ')}`);
  if ('prefix' in matcher) {
    if (typeof matcher.prefix !== 'string') throw new Error(`${path}: only a string prefix is supported here`);
    return typeof value === 'string' && value.startsWith(matcher.prefix);
  }
  if ('anything-but' in matcher) {
    const excluded = matcher['anything-but'];
    if (isObject(excluded)) {
      if (typeof excluded.prefix !== 'string' || Object.keys(excluded).length !== 1) {
        throw new Error(`${path}: only anything-but with values or { prefix } is supported here`);
      }
      return typeof value === 'string' && !value.startsWith(excluded.prefix);
    }
    const list = Array.isArray(excluded) ? excluded : [excluded];
    if (!list.every((item) => typeof item === 'string' || typeof item === 'number')) {
      throw new Error(`${path}: anything-but takes strings or numbers`);
    }
    return !list.includes(value as string | number);
  }
  throw new Error(`${path}: operator ${keys[0]} is not supported by this matcher`);
}

function asPattern(value: unknown, path: string): EventPattern {
  if (!isObject(value)) throw new Error(`${path}: a $or branch must be a pattern object`);
  return value;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
