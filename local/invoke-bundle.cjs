// Invokes the bundled reconciler (the esbuild output the stack deploys) once, in this Node process,
// as Lambda would: node local/invoke-bundle.cjs <bundle-dir> <event-json> <account-id> <result-file>
// The handler's own logs go to stdout; the result or the error is written to <result-file> as JSON.
const { readFileSync, writeFileSync } = require('node:fs');
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

/**
 * Peak resident memory of this process, in KiB. On Linux, VmHWM: getrusage's maxRSS survives execve,
 * so a child would report its parent's peak if that was higher (a jest or tsx parent's 130 MB, say).
 */
const peakRss = () => {
  try {
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (match) return Number(match[1]);
  } catch {
    // not Linux: fall through
  }
  return process.resourceUsage().maxRSS;
};

const started = process.hrtime.bigint();
const { handler } = require(path.join(bundleDirectory, 'index.js'));
const initMs = Number(process.hrtime.bigint() - started) / 1e6;

const invoked = process.hrtime.bigint();
const measured = () => ({ initMs, runMs: Number(process.hrtime.bigint() - invoked) / 1e6, peakRssKiB: peakRss() });
handler(JSON.parse(eventJson), context).then(
  (result) => writeFileSync(resultFile, JSON.stringify({ ok: true, result, ...measured() })),
  (error) => {
    writeFileSync(
      resultFile,
      JSON.stringify({ ok: false, error: { name: error.name, message: error.message }, ...measured() }),
    );
    process.exitCode = 1;
  },
);
