// Invokes the bundled reconciler (the esbuild output the stack deploys) once, in this Node process,
// as Lambda would: node local/invoke-bundle.cjs <bundle-dir> <event-json> <account-id> <result-file>
// The handler's own logs go to stdout; the result or the error is written to <result-file> as JSON.
const { readFileSync, writeFileSync } = require('node:fs');
const path = require('node:path');

const [bundleDirectory, eventJson, accountId, resultFile] = process.argv.slice(2);
// The function's timeout, as Lambda enforces it on the invocation (initialization has a limit of its own): the
// invocation ends then, summary or not. Counted from the handler's call, once the bundle is loaded.
const timeoutMs = Number(process.env.LOCAL_LAMBDA_TIMEOUT_MS ?? 900_000);
let deadline = Number.POSITIVE_INFINITY;
const context = {
  awsRequestId: `local-${process.pid}-${Date.now()}`,
  invokedFunctionArn: `arn:aws:lambda:${process.env.AWS_REGION}:${accountId}:function:deep-inspection-reconciler`,
  functionName: 'deep-inspection-reconciler',
  functionVersion: '$LATEST',
  memoryLimitInMB: '1024',
  getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
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

deadline = Date.now() + timeoutMs;
const invoked = process.hrtime.bigint();
const measured = () => ({ initMs, runMs: Number(process.hrtime.bigint() - invoked) / 1e6, peakRssKiB: peakRss() });
const timeout = setTimeout(() => {
  const message = `Task timed out after ${(timeoutMs / 1000).toFixed(2)} seconds`;
  writeFileSync(resultFile, JSON.stringify({ ok: false, error: { name: 'Sandbox.Timedout', message }, ...measured() }));
  process.exit(1);
}, timeoutMs);
handler(JSON.parse(eventJson), context)
  .finally(() => clearTimeout(timeout))
  .then(
    (result) => writeFileSync(resultFile, JSON.stringify({ ok: true, result, ...measured() })),
    (error) => {
      writeFileSync(
        resultFile,
        JSON.stringify({ ok: false, error: { name: error.name, message: error.message }, ...measured() }),
      );
      process.exitCode = 1;
    },
  );
