import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SimulatedOrganization } from '../simulated-organization';
import { ServiceError } from './errors';
import { INSPECTOR_PATHS, inspector, LocalState, organizations, sqs, ssm } from './services';

/** Faults to inject; change them at any time between or during runs. */
export interface Faults {
  /** Added before every answer. */
  latencyMs?: number;
  /** Every Nth request (counted across all services) is throttled. */
  throttleEveryNth?: number;
  /** The Retry-After those throttles carry, in seconds (the SDK reads fractions). Default 0.2. */
  throttleRetryAfterSeconds?: number;
  /** Every Nth request answers 500. */
  serverErrorEveryNth?: number;
  /** Requests a second per operation and region (Organizations: per operation); past it, throttled with Retry-After. */
  rateLimitPerSecond?: number;
  /** Inspector answers AccessDenied in these regions, as when this account is not the delegated administrator there. */
  deniedRegions?: readonly string[];
  /** Organizations answers AccessDenied, as when this account may not list the organization. */
  denyOrganizations?: boolean;
  /** Inspector answers this operation with a ValidationException. */
  rejectOperation?: string;
}

const WRITE_OPERATIONS = new Set([
  'BatchUpdateMemberEc2DeepInspectionStatus',
  'UpdateEc2DeepInspectionConfiguration',
  'UpdateOrgEc2DeepInspectionConfiguration',
  'SendMessageBatch',
]);

type Protocol = 'json' | 'rest-json' | 'query';
interface Route {
  readonly service: 'organizations' | 'inspector2' | 'ssm' | 'sqs' | 'sts';
  readonly operation: string;
  readonly protocol: Protocol;
}

const TARGET_PREFIXES: Record<string, Route['service']> = {
  AWSOrganizationsV20161128: 'organizations',
  AmazonSSM: 'ssm',
  AmazonSQS: 'sqs',
};

/** The throttling error each service answers with, as the SDK classifies it. */
const THROTTLING: Record<Route['service'], { status: number; code: string }> = {
  organizations: { status: 400, code: 'TooManyRequestsException' },
  inspector2: { status: 429, code: 'ThrottlingException' },
  ssm: { status: 400, code: 'ThrottlingException' },
  sqs: { status: 400, code: 'ThrottlingException' },
  sts: { status: 400, code: 'Throttling' },
};

/**
 * A local endpoint that speaks the AWS wire protocols the reconciler's SDK clients use (JSON 1.0/1.1
 * with X-Amz-Target, and REST-JSON for Inspector2), over a simulated organization. Clients reach it
 * through AWS_ENDPOINT_URL; signatures are not checked. Loopback only.
 */
export class LocalAwsEndpoint {
  readonly state: LocalState;
  faults: Faults = {};
  /** `service.Operation` → calls, and `service.Operation@region` → calls in that region. */
  readonly calls = new Map<string, number>();
  /** `service.Operation` → requests answered with a throttling error. */
  readonly throttledBy = new Map<string, number>();
  private requests = 0;
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  private constructor(
    private readonly server: Server,
    readonly url: string,
    organization: SimulatedOrganization,
  ) {
    this.state = new LocalState(organization);
  }

  static async start(organization: SimulatedOrganization): Promise<LocalAwsEndpoint> {
    const ready: { endpoint?: LocalAwsEndpoint } = {};
    const server = createServer((request, response) => {
      void ready.endpoint?.handle(request, response);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    ready.endpoint = new LocalAwsEndpoint(server, `http://127.0.0.1:${port}`, organization);
    return ready.endpoint;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve, reject) => this.server.close((error) => (error ? reject(error) : resolve())));
  }

  /** Creates an empty queue and returns its URL, on this endpoint. */
  createQueue(name: string): string {
    const url = `${this.url}/${this.state.organization.delegatedAdminAccountId}/${name}`;
    this.state.queues.set(url, []);
    return url;
  }

  /** Environment that points every SDK client at this endpoint, with throwaway credentials. */
  environment(): Record<string, string> {
    return {
      AWS_ENDPOINT_URL: this.url,
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_SESSION_TOKEN: 'local',
    };
  }

  /** Requests answered with a throttling error, all operations together. */
  get throttled(): number {
    return [...this.throttledBy.values()].reduce((sum, count) => sum + count, 0);
  }

  callCount(operation: string, region?: string): number {
    let total = 0;
    for (const [key, count] of this.calls) {
      const [name, callRegion] = key.split('@');
      if (
        name?.endsWith(`.${operation}`) &&
        callRegion !== undefined &&
        (region === undefined || callRegion === region)
      )
        total += count;
    }
    return total;
  }

  writeCount(): number {
    return [...WRITE_OPERATIONS].reduce((sum, operation) => sum + this.callCount(operation), 0);
  }

  resetCounters(): void {
    this.calls.clear();
    this.throttledBy.clear();
    this.requests = 0;
    this.buckets.clear();
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = await readBody(request);
    const region = /Credential=[^/]+\/\d{8}\/([^/]+)\//.exec(request.headers.authorization ?? '')?.[1] ?? 'us-east-1';
    let route: Route | undefined;
    try {
      route = routeOf(request, body);
      this.count(route, region);
      if (this.faults.latencyMs) await new Promise((resolve) => setTimeout(resolve, this.faults.latencyMs));
      this.injectFaults(route, region);
      if (route.service === 'sts') {
        respondXml(response, callerIdentity(this.state.organization.delegatedAdminAccountId));
        return;
      }
      const input = body.length === 0 ? {} : (JSON.parse(body) as Record<string, unknown>);
      const output = this.dispatch(route, region, input);
      respond(response, 200, route.protocol, output);
    } catch (error) {
      const failure =
        error instanceof ServiceError
          ? error
          : new ServiceError(500, 'InternalServerException', (error as Error).message);
      if (route && failure.code === THROTTLING[route.service].code) {
        const key = `${route.service}.${route.operation}`;
        this.throttledBy.set(key, (this.throttledBy.get(key) ?? 0) + 1);
      }
      respondError(response, route?.protocol ?? 'rest-json', failure, route?.service === 'sqs');
    }
  }

  private count(route: Route, region: string): void {
    const key = `${route.service}.${route.operation}`;
    this.calls.set(key, (this.calls.get(key) ?? 0) + 1);
    this.calls.set(`${key}@${region}`, (this.calls.get(`${key}@${region}`) ?? 0) + 1);
  }

  private injectFaults(route: Route, region: string): void {
    if (route.service === 'sts') return; // identity lookups are not part of the reconciler's run
    this.requests += 1;
    const throttle = THROTTLING[route.service];
    const { throttleEveryNth, serverErrorEveryNth, rateLimitPerSecond, deniedRegions } = this.faults;
    if (throttleEveryNth && this.requests % throttleEveryNth === 0) {
      throw new ServiceError(
        throttle.status,
        throttle.code,
        'Rate exceeded',
        this.faults.throttleRetryAfterSeconds ?? 0.2,
      );
    }
    if (serverErrorEveryNth && this.requests % serverErrorEveryNth === 0) {
      throw new ServiceError(500, 'InternalServerException', 'Simulated internal error');
    }
    if (rateLimitPerSecond) {
      const wait = this.take(
        `${route.service}.${route.operation}@${route.service === 'organizations' ? 'global' : region}`,
        rateLimitPerSecond,
      );
      if (wait > 0) throw new ServiceError(throttle.status, throttle.code, 'Rate exceeded', wait / 1000);
    }
    if (route.service === 'organizations' && this.faults.denyOrganizations) {
      throw new ServiceError(400, 'AccessDeniedException', "You don't have permissions to access this resource.");
    }
    if (route.service === 'inspector2' && route.operation === this.faults.rejectOperation) {
      throw new ServiceError(400, 'ValidationException', 'Simulated validation failure');
    }
    if (route.service === 'inspector2' && deniedRegions?.includes(region)) {
      throw new ServiceError(403, 'AccessDeniedException', `You are not the delegated administrator in ${region}`);
    }
  }

  /** Token bucket: returns 0 if a token was taken, else the milliseconds until one is free. */
  private take(key: string, perSecond: number): number {
    const now = Date.now();
    const bucket = this.buckets.get(key) ?? { tokens: perSecond, at: now };
    bucket.tokens = Math.min(perSecond, bucket.tokens + ((now - bucket.at) / 1000) * perSecond);
    bucket.at = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return ((1 - bucket.tokens) / perSecond) * 1000;
  }

  private dispatch(route: Route, region: string, input: Record<string, unknown>): Record<string, unknown> {
    switch (route.service) {
      case 'organizations':
        return organizations(this.state, route.operation, input);
      case 'inspector2':
        return inspector(this.state, region, route.operation, input);
      case 'ssm':
        return ssm(this.state, route.operation, input);
      case 'sqs':
        return sqs(this.state, route.operation, input);
      case 'sts':
        throw new ServiceError(400, 'InvalidAction', 'STS answers in XML');
    }
  }
}

function routeOf(request: IncomingMessage, body: string): Route {
  // STS speaks the query protocol: a form body naming the action.
  if (String(request.headers['content-type']).startsWith('application/x-www-form-urlencoded')) {
    const action = new URLSearchParams(body).get('Action');
    if (action === 'GetCallerIdentity') return { service: 'sts', operation: action, protocol: 'query' };
    throw new ServiceError(400, 'InvalidAction', `Query action ${action} is not simulated`);
  }
  const target = request.headers['x-amz-target'];
  if (typeof target === 'string') {
    const [prefix, operation] = target.split('.');
    const service = TARGET_PREFIXES[prefix ?? ''];
    if (service && operation) return { service, operation, protocol: 'json' };
    throw new ServiceError(400, 'UnknownOperationException', `Unknown X-Amz-Target ${target}`);
  }
  const path = (request.url ?? '').split('?')[0] ?? '';
  const operation = INSPECTOR_PATHS[path];
  if (request.method === 'POST' && operation) return { service: 'inspector2', operation, protocol: 'rest-json' };
  throw new ServiceError(404, 'UnknownOperationException', `No simulated operation at ${request.method} ${path}`);
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function respond(response: ServerResponse, status: number, protocol: Protocol, output: unknown): void {
  const body = JSON.stringify(output);
  response.writeHead(status, {
    'content-type': protocol === 'json' ? 'application/x-amz-json-1.1' : 'application/json',
    'content-length': Buffer.byteLength(body),
    'x-amzn-requestid': `local-${Date.now()}`,
  });
  response.end(body);
}

/** STS GetCallerIdentity: the caller is the delegated administrator. */
function callerIdentity(accountId: string): string {
  return [
    '<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">',
    '<GetCallerIdentityResult>',
    `<Arn>arn:aws:iam::${accountId}:role/SecurityAdmin</Arn><UserId>AROALOCAL</UserId><Account>${accountId}</Account>`,
    '</GetCallerIdentityResult>',
    '<ResponseMetadata><RequestId>local</RequestId></ResponseMetadata>',
    '</GetCallerIdentityResponse>',
  ].join('');
}

function respondXml(response: ServerResponse, body: string): void {
  response.writeHead(200, { 'content-type': 'text/xml', 'content-length': Buffer.byteLength(body) });
  response.end(body);
}

function respondError(
  response: ServerResponse,
  protocol: Protocol,
  error: ServiceError,
  queryCompatible: boolean,
): void {
  const headers: Record<string, string> = { 'x-amzn-requestid': `local-${Date.now()}` };
  // Seconds with a fraction: the SDK honours "0.125" as 125 ms.
  if (error.retryAfterSeconds !== undefined) headers['retry-after'] = error.retryAfterSeconds.toFixed(3);
  // SQS's JSON protocol is query-compatible: the SDK reads the code from this header too.
  if (queryCompatible) headers['x-amzn-query-error'] = `${error.code};Sender`;
  const body =
    protocol === 'json'
      ? JSON.stringify({ __type: error.code, message: error.message })
      : JSON.stringify({ message: error.message });
  if (protocol === 'rest-json') headers['x-amzn-errortype'] = error.code;
  response.writeHead(error.status, {
    ...headers,
    'content-type': protocol === 'json' ? 'application/x-amz-json-1.1' : 'application/json',
    'content-length': String(Buffer.byteLength(body)),
  });
  response.end(body);
}
