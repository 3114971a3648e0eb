import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SimulatedOrganization } from '../simulated-organization';
import { type AnsweredResponse, checkResponse } from './conformance';
import { invalidRequest, ServiceError, serviceError, unparseable } from './errors';
import { model, operationOf, type Shape, type ServiceName, validate, type Violation } from './model';
import { SECURITY_HUB_ROUTES } from './securityhub';
import { account, inspector, isRegionEnabled, LocalState, organizations, type Simulation, sqs, ssm } from './services';

/** Faults to inject; change them at any time between or during runs. */
export interface Faults {
  /** Added before every answer. */
  latencyMs?: number;
  /** Every Nth request (counted across all services) is throttled. */
  throttleEveryNth?: number;
  /** The Retry-After those throttles carry, in whole seconds as the model types it. Default 1. */
  throttleRetryAfterSeconds?: number;
  /** Every Nth request answers 500. */
  serverErrorEveryNth?: number;
  /** Requests a second per operation and region (Organizations: per operation); past it, throttled with Retry-After. */
  rateLimitPerSecond?: number;
  /** Organizations' own rate, per operation, when it differs from `rateLimitPerSecond`. */
  organizationsRateLimitPerSecond?: number;
  /** Inspector answers AccessDenied in these regions, as when this account is not the delegated administrator there. */
  deniedRegions?: readonly string[];
  /** Organizations answers AccessDenied, as when this account may not list the organization. */
  denyOrganizations?: boolean;
  /** Account Management's ListRegions answers AccessDenied, as when the role lacks account:ListRegions. */
  denyListRegions?: boolean;
  /**
   * Operation → the error it answers, by its model name (`ResourceNotFoundException`,
   * `ValidationException`, `ParameterNotFound`, …): any operation, any error its model declares.
   */
  errors?: Readonly<Record<string, string>>;
  /** These operations never answer: the connection stays open until the caller gives up. */
  hangOperations?: readonly string[];
}

const WRITE_OPERATIONS = new Set([
  'BatchUpdateMemberEc2DeepInspectionStatus',
  'UpdateEc2DeepInspectionConfiguration',
  'UpdateOrgEc2DeepInspectionConfiguration',
  'UpdateConfiguration',
  'SendMessageBatch',
  'BatchImportFindings',
  'BatchUpdateFindings',
]);

type Protocol = 'json' | 'rest-json' | 'query';
interface Route {
  readonly service: ServiceName;
  readonly operation: string;
  readonly protocol: Protocol;
}

/** A response that departs from the service's model, as the conformance check found it. */
export interface ResponseViolation extends Violation {
  readonly service: ServiceName;
  readonly operation: string;
  readonly status: number;
}

/** Inspector2 and Account Management speak REST-JSON: the model's `requestUri` names the operation. */
const REST_PATHS: Record<string, { service: 'inspector2' | 'account'; operation: string }> = Object.fromEntries(
  (['inspector2', 'account'] as const).flatMap((service) =>
    Object.values(model(service).operations).map((operation) => [
      operation.http?.requestUri,
      { service, operation: operation.name },
    ]),
  ),
);

/** The services whose one endpoint serves every Region: a Region the account has not enabled does not concern them. */
const GLOBAL_SERVICES = new Set<ServiceName>(['organizations', 'account', 'sts']);

const TARGET_PREFIXES: Record<string, Route['service']> = {
  AWSOrganizationsV20161128: 'organizations',
  AmazonSSM: 'ssm',
  AmazonSQS: 'sqs',
};

/** The 5xx each service answers when it fails inside. */
const SERVER_ERROR: Record<Route['service'], string> = {
  account: 'InternalServerException',
  organizations: 'ServiceException',
  inspector2: 'InternalServerException',
  securityhub: 'InternalException',
  ssm: 'InternalServerError',
  sqs: 'InternalFailure',
  sts: 'InternalFailure',
};

/** The throttling error each service answers with, as the SDK classifies it. */
const THROTTLING: Record<Route['service'], { status: number; code: string }> = {
  account: { status: 429, code: 'TooManyRequestsException' },
  organizations: { status: 400, code: 'TooManyRequestsException' },
  inspector2: { status: 429, code: 'ThrottlingException' },
  securityhub: { status: 429, code: 'LimitExceededException' },
  ssm: { status: 400, code: 'ThrottlingException' },
  sqs: { status: 400, code: 'RequestThrottled' },
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
  /** Check every response against the model as it is sent; what departs from it lands in `violations`. */
  checkResponses = true;
  readonly violations: ResponseViolation[] = [];
  /** Record when each request arrives, in `requestLog`: for a benchmark that times one step of a run. */
  recordRequests = false;
  /**
   * The rate limiter's clock (epoch ms). A test that paces a client on the same virtual clock sees the
   * rate limit exactly as the client's pacing reached it, however loaded the machine.
   */
  rateLimitClock: () => number = Date.now;
  /** Every request since the last resetCounters, when recordRequests is on: service, operation, region, arrival (ms). */
  readonly requestLog: { service: string; operation: string; region: string; at: number }[] = [];
  /** `service.Operation status code` of every response checked, for the conformance suite's coverage. */
  readonly answered = new Set<string>();
  private requests = 0;
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  private constructor(
    private readonly server: Server,
    readonly url: string,
    organization: SimulatedOrganization,
  ) {
    this.state = new LocalState(organization);
  }

  /** How the simulated services behave in time: PENDING updates, `Paths` in ListAccounts. */
  get simulation(): Simulation {
    return this.state.simulation;
  }

  /** Listens on 127.0.0.1, on `port` (default 0: any free port); rejects with the server's error (EADDRINUSE). */
  static async start(
    organization: SimulatedOrganization,
    { port = 0 }: { port?: number } = {},
  ): Promise<LocalAwsEndpoint> {
    const ready: { endpoint?: LocalAwsEndpoint } = {};
    const server = createServer((request, response) => {
      void ready.endpoint?.handle(request, response);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    const { port: listening } = server.address() as AddressInfo;
    ready.endpoint = new LocalAwsEndpoint(server, `http://127.0.0.1:${listening}`, organization);
    return ready.endpoint;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve, reject) => this.server.close((error) => (error ? reject(error) : resolve())));
  }

  /** Resolves once every update the endpoint accepted (deep inspection, scan configuration) has left PENDING, in real time. */
  async settled(): Promise<void> {
    const last = this.state.organization.lastSettlement();
    if (!Number.isFinite(last)) {
      throw new Error('an update is PENDING until settleNow() (simulation.pendingMs is Infinity): call settleNow()');
    }
    const wait = last - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait + 5));
  }

  /**
   * Ends every PENDING update now, as Inspector would once it finished them: for tests that must not depend on
   * how long a run takes. With `simulation.pendingMs = Infinity` an update reads PENDING until this is called.
   */
  settleNow(): void {
    this.state.organization.settleNow();
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
    this.requestLog.length = 0;
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = await readBody(request);
    const region = /Credential=[^/]+\/\d{8}\/([^/]+)\//.exec(request.headers.authorization ?? '')?.[1] ?? 'us-east-1';
    let route: Route | undefined;
    let answer: { status: number; headers: Record<string, string>; body: string };
    try {
      route = routeOf(request, body);
      this.count(route, region);
      if (this.faults.latencyMs) await new Promise((resolve) => setTimeout(resolve, this.faults.latencyMs));
      if (this.faults.hangOperations?.includes(route.operation)) {
        await new Promise((resolve) => request.socket.once('close', resolve));
        return;
      }
      this.injectFaults(route, region);
      answer =
        route.service === 'sts'
          ? xmlAnswer(callerIdentity(this.state.organization.delegatedAdminAccountId))
          : jsonAnswer(route.protocol, this.dispatch(route, region, this.parseInput(route, body), body));
    } catch (error) {
      const failure =
        error instanceof ServiceError
          ? error
          : serviceError(route?.service ?? 'inspector2', 'InternalServerException', (error as Error).message);
      if (route && failure.code === THROTTLING[route.service].code) {
        const key = `${route.service}.${route.operation}`;
        this.throttledBy.set(key, (this.throttledBy.get(key) ?? 0) + 1);
      }
      answer = errorAnswer(route?.protocol ?? 'rest-json', failure, route?.service ?? 'inspector2');
    }
    if (route && this.checkResponses) this.check({ service: route.service, operation: route.operation, ...answer });
    response.writeHead(answer.status, { ...answer.headers, 'content-length': String(Buffer.byteLength(answer.body)) });
    response.end(answer.body);
  }

  /** The request body, held to the operation's input shape as the service holds it. */
  private parseInput(route: Route, body: string): Record<string, unknown> {
    let input: unknown = {};
    if (body.length > 0) {
      try {
        input = JSON.parse(body);
      } catch (error) {
        throw unparseable(route.service, (error as Error).message);
      }
    }
    const shape = operationOf(route.service, route.operation)?.input?.shape;
    if (shape !== undefined) {
      const violations = validate(route.service, shape, input);
      if (violations.length > 0) throw invalidRequest(route.service, violations);
    }
    return input as Record<string, unknown>;
  }

  private check(response: AnsweredResponse): void {
    const code =
      response.status === 200
        ? ''
        : (response.headers['x-amzn-errortype'] ?? (JSON.parse(response.body) as { __type?: string }).__type);
    this.answered.add(`${response.service}.${response.operation} ${response.status} ${code}`.trim());
    for (const violation of checkResponse(response)) {
      this.violations.push({
        service: response.service,
        operation: response.operation,
        status: response.status,
        ...violation,
      });
    }
  }

  private count(route: Route, region: string): void {
    const key = `${route.service}.${route.operation}`;
    this.calls.set(key, (this.calls.get(key) ?? 0) + 1);
    this.calls.set(`${key}@${region}`, (this.calls.get(`${key}@${region}`) ?? 0) + 1);
    if (this.recordRequests) {
      this.requestLog.push({ service: route.service, operation: route.operation, region, at: Date.now() });
    }
  }

  private injectFaults(route: Route, region: string): void {
    if (route.service === 'sts') return; // identity lookups are not part of the reconciler's run
    this.requests += 1;
    const throttle = THROTTLING[route.service];
    const { throttleEveryNth, serverErrorEveryNth, rateLimitPerSecond, deniedRegions, errors } = this.faults;
    if (throttleEveryNth && this.requests % throttleEveryNth === 0) {
      throw new ServiceError(
        throttle.status,
        throttle.code,
        'Rate exceeded',
        Math.ceil(this.faults.throttleRetryAfterSeconds ?? 1),
      );
    }
    if (serverErrorEveryNth && this.requests % serverErrorEveryNth === 0) {
      throw serviceError(route.service, SERVER_ERROR[route.service], 'Simulated internal error');
    }
    const rate =
      route.service === 'organizations'
        ? (this.faults.organizationsRateLimitPerSecond ?? rateLimitPerSecond)
        : rateLimitPerSecond;
    if (rate) {
      const wait = this.take(
        `${route.service}.${route.operation}@${route.service === 'organizations' ? 'global' : region}`,
        rate,
      );
      // Whole seconds, as the model types Retry-After: a wait of 40 ms is announced as 1 s.
      if (wait > 0) throw new ServiceError(throttle.status, throttle.code, 'Rate exceeded', Math.ceil(wait / 1000));
    }
    if (route.service === 'organizations' && this.faults.denyOrganizations) {
      throw serviceError(route.service, 'AccessDeniedException', "You don't have permissions to access this resource.");
    }
    if (route.service === 'account' && route.operation === 'ListRegions' && this.faults.denyListRegions) {
      throw serviceError(
        route.service,
        'AccessDeniedException',
        'User is not authorized to perform: account:ListRegions',
      );
    }
    // A Region the account has not enabled (or is still enabling or disabling) knows no credentials.
    if (!GLOBAL_SERVICES.has(route.service) && !isRegionEnabled(this.state, region)) {
      throw serviceError(
        route.service,
        'UnrecognizedClientException',
        'The security token included in the request is invalid.',
      );
    }
    const injected = errors?.[route.operation];
    if (injected !== undefined) {
      throw serviceError(route.service, injected, `Simulated ${injected}`, {
        members: injected === 'ValidationException' && route.service === 'inspector2' ? { reason: 'OTHER' } : {},
      });
    }
    if (route.service === 'inspector2' && deniedRegions?.includes(region)) {
      throw serviceError(
        route.service,
        'AccessDeniedException',
        `You are not the delegated administrator in ${region}`,
      );
    }
  }

  /** Token bucket: returns 0 if a token was taken, else the milliseconds until one is free. */
  private take(key: string, perSecond: number): number {
    const now = this.rateLimitClock();
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

  private dispatch(
    route: Route,
    region: string,
    input: Record<string, unknown>,
    body: string,
  ): Record<string, unknown> {
    switch (route.service) {
      case 'securityhub':
        return this.state.securityHub.handle(region, route.operation, input, body);
      case 'organizations':
        return organizations(this.state, route.operation, input);
      case 'account':
        return account(this.state, route.operation, input);
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
  // Security Hub also speaks REST-JSON: told apart by the service its requests are signed for.
  if (/Credential=[^/]+\/\d{8}\/[^/]+\/securityhub\//.test(request.headers.authorization ?? '')) {
    const securityHubOperation = SECURITY_HUB_ROUTES[`${request.method} ${path}`];
    if (securityHubOperation) return { service: 'securityhub', operation: securityHubOperation, protocol: 'rest-json' };
    throw new ServiceError(404, 'UnknownOperationException', `No simulated operation at ${request.method} ${path}`);
  }
  const rest = REST_PATHS[path];
  if (request.method === 'POST' && rest) return { ...rest, protocol: 'rest-json' };
  throw new ServiceError(404, 'UnknownOperationException', `No simulated operation at ${request.method} ${path}`);
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

type Answer = { status: number; headers: Record<string, string>; body: string };

function jsonAnswer(protocol: Protocol, output: unknown): Answer {
  return {
    status: 200,
    headers: {
      'content-type': protocol === 'json' ? 'application/x-amz-json-1.1' : 'application/json',
      'x-amzn-requestid': `local-${Date.now()}`,
    },
    body: JSON.stringify(output),
  };
}

function xmlAnswer(body: string): Answer {
  // STS sends its request id in the header as well as in ResponseMetadata, as every AWS service does.
  return { status: 200, headers: { 'content-type': 'text/xml', 'x-amzn-requestid': `local-${Date.now()}` }, body };
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

/** The error as the service's protocol sends it; the message member is spelled as the service's model spells it. */
function errorAnswer(protocol: Protocol, error: ServiceError, service: ServiceName): Answer {
  const headers: Record<string, string> = {
    'x-amzn-requestid': `local-${Date.now()}`,
    'content-type': protocol === 'json' ? 'application/x-amz-json-1.1' : 'application/json',
  };
  const shape = model(service).shapes[error.code];
  // Only where the error's model declares the header (Inspector's ThrottlingException): Organizations', SSM's,
  // SQS's and Account Management's throttles carry none, and the SDK then waits its own backoff.
  if (error.retryAfterSeconds !== undefined && declaresRetryAfter(shape)) {
    headers['retry-after'] = String(error.retryAfterSeconds);
  }
  // SQS's JSON protocol is query-compatible: the SDK reads the code from this header too.
  if (service === 'sqs') headers['x-amzn-query-error'] = `${error.code};Sender`;
  const messageMember = shape?.members?.Message !== undefined ? 'Message' : 'message';
  const members = { [messageMember]: error.message, ...error.members };
  if (protocol === 'rest-json') headers['x-amzn-errortype'] = error.code;
  const body = JSON.stringify(protocol === 'json' ? { __type: error.code, ...members } : members);
  return { status: error.status, headers, body };
}

/** Whether an error shape has a member the service sends in the Retry-After header. */
function declaresRetryAfter(shape: Shape | undefined): boolean {
  return Object.values(shape?.members ?? {}).some(
    (member) => member.location === 'header' && member.locationName?.toLowerCase() === 'retry-after',
  );
}
