import { emitWarningIfUnsupportedVersion } from '@aws-sdk/core';

/**
 * The AWS SDK tells once a process that it will soon need a newer Node (its own switch,
 * AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED, silences it), but Jest loads the SDK afresh for
 * every test file, so a run printed it once a file. Say it once for the run, here, in the SDK's own
 * words; the workers and the processes the tests start inherit the switch.
 */
export default function globalSetup(): void {
  emitWarningIfUnsupportedVersion(process.version);
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
}
