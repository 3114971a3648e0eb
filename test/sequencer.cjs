const Sequencer = require('@jest/test-sequencer').default;

/**
 * Jest's own order (failed suites first, then the slowest of the last run, suites it has no time for before
 * those), with one change among the suites it has no time for, as on a fresh clone: the end-to-end and
 * template suites first, with two short files that take long, then the rest, each by file size as Jest
 * orders them. By size alone, short files that take long (cdk-nag.test.ts, the benchmark scenarios) would
 * start last and leave one worker running alone at the end.
 */
const FIRST = [
  /\/test\/infra\/cdk-nag\.test\.ts$/, // starts aws-cdk-lib's CloudFormation validation engine (about 10 s)
  /\/test\/e2e\//, // the bundled function and the command in child processes, against the local endpoint
  /\/test\/infra\//, // synthesized stacks
  /\/test\/unit\/region-surfaces\.test\.ts$/, // two stacks for each of 49 regions
];

class SlowestFirst extends Sequencer {
  sort(tests) {
    const sorted = super.sort(tests);
    const untimed = (test) => test.duration == null && !this.hasFailed(test);
    const rank = (test) => {
      const index = FIRST.findIndex((pattern) => pattern.test(test.path));
      return index === -1 ? FIRST.length : index;
    };
    const places = sorted.flatMap((test, index) => (untimed(test) ? [index] : []));
    // Array.prototype.sort is stable: Jest's order holds within each rank.
    const reordered = places.map((index) => sorted[index]).sort((a, b) => rank(a) - rank(b));
    places.forEach((index, i) => {
      sorted[index] = reordered[i];
    });
    return sorted;
  }
}

module.exports = SlowestFirst;
