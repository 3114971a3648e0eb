import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { decode } from '@jridgewell/sourcemap-codec';

/** One range of V8's block coverage: [startOffset, endOffset) of the script's text, and how often it ran. */
interface CoverageRange {
  readonly startOffset: number;
  readonly endOffset: number;
  readonly count: number;
}

/**
 * How much of one package's code a bundled function's process evaluated: the string literals the package
 * put in the bundle (found through the bundle's source map), and how many of them lie in code that ran,
 * by V8's block coverage of the process (run it with NODE_V8_COVERAGE=`coverageDirectory`; Node writes
 * it at exit). A module esbuild bundles eagerly runs its top-level code, full of string literals (an SDK
 * client's schemas, endpoint rules, command names), at `require`; a module it wraps to load lazily keeps
 * its code in a function that runs on the first import, and leaves at the top level only a `var` list of
 * its bindings, which holds no string.
 * @param packageName as it appears in the path, `@aws-sdk/client-securityhub`
 */
export function evaluatedStrings(
  bundleDirectory: string,
  coverageDirectory: string,
  packageName: string,
): { strings: number; evaluated: number } {
  const bundle = path.join(bundleDirectory, 'index.js');
  const source = readFileSync(bundle, 'utf8');
  const map = JSON.parse(readFileSync(`${bundle}.map`, 'utf8')) as { sources: string[]; mappings: string };
  const ranges = coverageOf(coverageDirectory, pathToFileURL(bundle).href);

  const lineStarts = [0];
  for (let offset = 0; offset < source.length; offset++) {
    if (source.charCodeAt(offset) === 10) lineStarts.push(offset + 1);
  }
  const fromPackage = new Set(
    map.sources.flatMap((file, index) => (file.includes(`/node_modules/${packageName}/`) ? [index] : [])),
  );
  let strings = 0;
  let evaluated = 0;
  decode(map.mappings).forEach((segments, line) => {
    for (const [column, sourceIndex] of segments) {
      if (sourceIndex === undefined || !fromPackage.has(sourceIndex)) continue;
      const offset = (lineStarts[line] ?? 0) + column;
      if (!['"', "'", '`'].includes(source.charAt(offset))) continue;
      strings += 1;
      if ((innermost(ranges, offset)?.count ?? 0) > 0) evaluated += 1;
    }
  });
  return { strings, evaluated };
}

/** The block ranges of every function of the script at `url`, from the coverage files Node wrote. */
function coverageOf(coverageDirectory: string, url: string): CoverageRange[] {
  for (const file of readdirSync(coverageDirectory).filter((name) => name.startsWith('coverage-'))) {
    const { result } = JSON.parse(readFileSync(path.join(coverageDirectory, file), 'utf8')) as {
      result: { url: string; functions: { ranges: CoverageRange[] }[] }[];
    };
    const script = result.find((entry) => entry.url === url);
    if (script !== undefined) return script.functions.flatMap((fn) => fn.ranges);
  }
  throw new Error(`no coverage of ${url} in ${coverageDirectory}: was the process run with NODE_V8_COVERAGE?`);
}

/** V8 nests ranges: the smallest one that holds the offset says whether the code there ran. */
function innermost(ranges: readonly CoverageRange[], offset: number): CoverageRange | undefined {
  let best: CoverageRange | undefined;
  for (const range of ranges) {
    if (range.startOffset <= offset && offset < range.endOffset) {
      if (best === undefined || range.endOffset - range.startOffset < best.endOffset - best.startOffset) best = range;
    }
  }
  return best;
}
