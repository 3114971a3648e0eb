import { UsageError } from './errors';

/**
 * AWS_ENDPOINT_URL, the SDK's setting for one endpoint for every service (AWS SDKs and Tools Reference Guide,
 * "Service-specific endpoints"): what the command checks of it, so that a typo is a setting to fix (exit 2,
 * naming the variable) and never a raw SDK error, a retry loop on exit 75, or an empty organization.
 */

const SETTING = 'AWS_ENDPOINT_URL';

/** A value the SDK cannot use as an endpoint, said with the fix; undefined when unset or a URL it can use. */
export function endpointSettingProblem(env: NodeJS.ProcessEnv): string | undefined {
  const value = env[SETTING];
  if (value === undefined) return undefined;
  if (value.trim() === '') {
    return `${SETTING} is set but empty: unset ${SETTING} to call AWS (\`unset ${SETTING}\`), or set it to the endpoint's URL (\`deep-inspection local\` prints it)`;
  }
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '') {
    return `${SETTING} ${JSON.stringify(value)} is not an http:// or https:// URL: write the scheme (${SETTING}=http://${value.replace(/^[a-z]+:\/\//i, '')}), or unset ${SETTING} to call AWS`;
  }
  return undefined;
}

/** The part of any SDK client's middleware stack used here, whatever the client's input and output types. */
type Handler = (args: unknown) => Promise<{ readonly response: unknown }>;
interface AnyStack {
  add(
    middleware: (next: Handler) => Handler,
    options: { readonly step: 'deserialize'; readonly priority: 'low'; readonly name: string },
  ): void;
}

/** Headers every AWS service answers with, errors included; the SDK reads its `$metadata.requestId` from them. */
const REQUEST_ID_HEADERS = ['x-amzn-requestid', 'x-amz-request-id'];

/**
 * Refuses, as a UsageError naming AWS_ENDPOINT_URL, an answer with no AWS request id: what answers there
 * is not an AWS endpoint (another server on the port), and reading its answers as AWS's would plan from
 * nothing (an organization read as empty). Added to each client only when AWS_ENDPOINT_URL is set.
 */
export function requireAwsAnswers(client: { readonly middlewareStack: object }, env: NodeJS.ProcessEnv): void {
  const endpoint = env[SETTING];
  if (endpoint === undefined) return;
  (client.middlewareStack as AnyStack).add(
    (next) => async (args) => {
      const result = await next(args);
      const response = result.response as { statusCode?: number; headers?: Record<string, string> };
      const headers = Object.keys(response.headers ?? {}).map((name) => name.toLowerCase());
      if (!REQUEST_ID_HEADERS.some((name) => headers.includes(name))) {
        throw new UsageError(
          `${SETTING} ${endpoint}: what answered there (HTTP ${response.statusCode ?? '?'}, no x-amzn-RequestId) is not an AWS endpoint: point ${SETTING} at one (\`deep-inspection local\` prints its URL), or unset ${SETTING} to call AWS`,
        );
      }
      return result;
    },
    // Innermost: sees the raw answer before the SDK's deserializer reads it as the service's.
    { step: 'deserialize', priority: 'low', name: 'deepInspectionRequireAwsAnswers' },
  );
}
