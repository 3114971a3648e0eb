import { classifyError, describeError, InvocationError } from '../lambda/reconciler';
import { EXIT, type ExitCode } from './exit-codes';

/** An option's value or combination the command cannot take; found after parsing, before any AWS call. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Errors that say the input is wrong: the policy, the options, the settings. Nothing was written. */
const BAD_INPUT = new Set(['UsageError', 'PolicyError', 'InvocationError', 'ConfigError']);

/**
 * The one place the CLI turns an error into the line it prints and its exit status: every command's
 * failures go through here, so the message format and the codes of the exit-code table stay one.
 */
export function describeFailure(
  error: unknown,
  env: NodeJS.ProcessEnv = process.env,
  profileOption?: string,
): { readonly message: string; readonly exitCode: ExitCode } {
  const name = error instanceof Error ? error.name : '';
  if (name === 'CredentialsProviderError' || name === 'TokenProviderError') {
    // A setting to fix (the profile, a login), in every command alike: no retry heals it.
    return { message: describeCredentialsProblem(error, env, profileOption), exitCode: EXIT.BAD_INPUT };
  }
  const unreachable = unreachableEndpoint(error, env) ?? notTls(error, env);
  if (unreachable !== undefined) return unreachable;
  if (error instanceof InvocationError) {
    // The same checks as a manual invoke of the function, said in the command's terms.
    const option = (path: string) =>
      path.startsWith('$.regions') ? '--regions' : path.startsWith('$.accountIds') ? '--accounts' : path;
    return {
      message: error.problems.map((problem) => `${option(problem.path)}: ${problem.message}`).join('\n'),
      exitCode: EXIT.BAD_INPUT,
    };
  }
  if (BAD_INPUT.has(name)) return { message: (error as Error).message, exitCode: EXIT.BAD_INPUT };
  // The same verdict as the function's (lambda/reconciler/errors/classification.ts): the SDK's own
  // classification first, then the written-out codes no retry heals.
  if (classifyError(error) === 'TRANSIENT') {
    const message = describeError(error);
    return {
      message: message.includes('transient') ? message : `${message} (transient: retrying later may succeed)`,
      exitCode: EXIT.TRANSIENT,
    };
  }
  return { message: describeError(error), exitCode: EXIT.FAILED };
}

/**
 * "Could not load credentials from any providers", said so that it names the profile (as it was given:
 * `--profile`, which comes first, or AWS_PROFILE) and what to do.
 */
export function describeCredentialsProblem(error: unknown, env: NodeJS.ProcessEnv, profileOption?: string): string {
  const profile = profileOption ?? env.AWS_PROFILE ?? env.AWS_DEFAULT_PROFILE;
  const named = profileOption !== undefined ? `--profile ${profile}` : `profile ${profile}`;
  const detail = error instanceof Error ? error.message : String(error);
  return profile
    ? `no AWS credentials for ${named} (${detail}): run \`aws sso login --profile ${profile}\` (or \`aws configure --profile ${profile}\`)`
    : `no AWS credentials (${detail}): set AWS_PROFILE and run \`aws sso login --profile NAME\`, or export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY`;
}

/**
 * An https:// AWS_ENDPOINT_URL on a port that speaks plain HTTP (`deep-inspection local` does): the TLS
 * handshake fails with EPROTO ("wrong version number"). A setting to fix, never transient.
 */
function notTls(
  error: unknown,
  env: NodeJS.ProcessEnv,
): { readonly message: string; readonly exitCode: ExitCode } | undefined {
  const endpoint = env.AWS_ENDPOINT_URL;
  if (endpoint === undefined || !endpoint.startsWith('https:')) return undefined;
  let cause: unknown = error;
  for (let depth = 0; depth < 5 && typeof cause === 'object' && cause !== null; depth++) {
    const { code, message } = cause as NodeJS.ErrnoException;
    if (code === 'EPROTO' || /\bEPROTO\b|wrong version number|ERR_SSL_/.test(String(message))) {
      return {
        message: `AWS_ENDPOINT_URL ${endpoint}: the TLS handshake failed (${
          String(message)
            .replace(/^AWS SDK error wrapper for (?:Error: )?/, '')
            .split('\n')[0]
        }): if it serves plain HTTP (as \`deep-inspection local\` does), write ${endpoint.replace(/^https:/, 'http:')}; or unset AWS_ENDPOINT_URL to call AWS`,
        exitCode: EXIT.BAD_INPUT,
      };
    }
    cause = (cause as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Node's codes for a connection nobody took: refused, or a host name that does not resolve. */
const NOT_CONNECTED = new Set(['ECONNREFUSED', 'ENOTFOUND']);

/**
 * A connection refused (or a host that does not resolve), naming the endpoint. When AWS_ENDPOINT_URL
 * points there it is a setting to fix, not a transient failure: a script that retries on 75 would loop on it.
 */
function unreachableEndpoint(
  error: unknown,
  env: NodeJS.ProcessEnv,
): { readonly message: string; readonly exitCode: ExitCode } | undefined {
  let cause: unknown = error;
  for (let depth = 0; depth < 5 && typeof cause === 'object' && cause !== null; depth++) {
    // Duck-typed: an error from another realm (a test runner's) is no `instanceof Error`, and the SDK then
    // wraps it keeping only its text ("AWS SDK error wrapper for Error: connect ECONNREFUSED 127.0.0.1:1").
    const { code, address, port, hostname, message } = cause as NodeJS.ErrnoException & {
      address?: string;
      port?: number;
      hostname?: string;
    };
    const said = /\b(ECONNREFUSED|ENOTFOUND) (\S+)/.exec(String(message));
    const found = code !== undefined && NOT_CONNECTED.has(code) ? code : said?.[1];
    if (found !== undefined) {
      const where =
        hostname ?? (address === undefined ? (said?.[2] ?? 'the endpoint') : `${address}${port ? `:${port}` : ''}`);
      const text = String(message).replace(/^AWS SDK error wrapper for (?:Error: )?/, '');
      const why = `${found === 'ENOTFOUND' ? 'does not resolve' : 'refused the connection'} (${text})`;
      const endpoint = env.AWS_ENDPOINT_URL;
      if (endpoint !== undefined) {
        return {
          message: `AWS_ENDPOINT_URL ${endpoint}: ${where} ${why}: start what should answer there (\`deep-inspection local\`), or unset AWS_ENDPOINT_URL to call AWS`,
          exitCode: EXIT.BAD_INPUT,
        };
      }
      return {
        message: `${where} ${why} (transient: retrying later may succeed; check the network, a proxy, or the region)`,
        exitCode: EXIT.TRANSIENT,
      };
    }
    cause = (cause as { cause?: unknown }).cause;
  }
  return undefined;
}
