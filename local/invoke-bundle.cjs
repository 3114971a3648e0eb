// Invokes the bundled reconciler (the esbuild output the stack deploys) once, in this Node process,
// as Lambda would: node local/invoke-bundle.cjs <bundle-dir> <event-json> <account-id> <result-file>
// The handler's own logs go to stdout; the result or the error is written to <result-file> as JSON.
const { writeFileSync } = require('node:fs');
const path = require('node:path');

const [bundleDirectory, eventJson, accountId, resultFile] = process.argv.slice(2);
const context = {
  awsRequestId: `local-${process.pid}-${Date.now()}`,
  invokedFunctionArn: `arn:aws:lambda:${process.env.AWS_REGION}:${accountId}:function:deep-inspection-reconciler`,
  functionName: 'deep-inspection-reconciler',
  functionVersion: '$LATEST',
  memoryLimitInMB: '1024',
  getRemainingTimeInMillis: () => 900_000,
};

/** Peak resident memory of this process, in KiB (Linux reports maxRSS in kilobytes). */
const peakRss = () => process.resourceUsage().maxRSS;

const started = process.hrtime.bigint();
const { handler } = require(path.join(bundleDirectory, 'index.js'));
const initMs = Number(process.hrtime.bigint() - started) / 1e6;

handler(JSON.parse(eventJson), context).then(
  (result) => writeFileSync(resultFile, JSON.stringify({ ok: true, result, initMs, peakRssKiB: peakRss() })),
  (error) => {
    writeFileSync(
      resultFile,
      JSON.stringify({
        ok: false,
        error: { name: error.name, message: error.message },
        initMs,
        peakRssKiB: peakRss(),
      }),
    );
    process.exitCode = 1;
  },
);
