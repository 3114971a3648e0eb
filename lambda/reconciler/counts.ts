/**
 * Adds two records of counts key by key, a key one of them lacks counting as 0: the summary's totals of
 * regions and runs. Pure.
 */
export function addCounts<T extends { readonly [K in keyof T]: number }>(a: T, b: T): T;
export function addCounts<K extends string>(
  a: Partial<Record<K, number>>,
  b: Partial<Record<K, number>>,
): Partial<Record<K, number>>;
export function addCounts(
  a: Readonly<Record<string, number | undefined>>,
  b: Readonly<Record<string, number | undefined>>,
): Record<string, number> {
  const sum: Record<string, number> = {};
  for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) sum[key] = (a[key] ?? 0) + (b[key] ?? 0);
  return sum;
}
