import { COMMON_ERRORS, statusOf } from './errors';
import { isBodyMember, model, type ServiceName, validate, type Violation } from './model';

/** One answer of the endpoint, as it went on the wire. */
export interface AnsweredResponse {
  readonly service: ServiceName;
  readonly operation: string;
  readonly status: number;
  /** Lower-case header names. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/**
 * Every way a response departs from the service's model: a success body against the operation's
 * output shape; an error against the errors the operation declares (or AWS's common errors), its
 * HTTP status, its body and its header members (Inspector's `Retry-After` is an integer).
 */
export function checkResponse(response: AnsweredResponse): Violation[] {
  const { service, operation: name, status } = response;
  const operation = model(service).operations[name];
  if (operation === undefined) return [violation('$', `${name} is not an operation of the ${service} model`)];
  if (status >= 200 && status < 300) {
    if (service === 'sts') return checkQueryResult(service, operation.output?.shape, response.body);
    const body = parse(response.body);
    if (body === undefined) return [violation('$', 'the body is not JSON')];
    return operation.output === undefined ? [] : validate(service, operation.output.shape, body);
  }
  return checkError(
    response,
    (operation.errors ?? []).map((error) => error.shape),
  );
}

function checkError(response: AnsweredResponse, declared: readonly string[]): Violation[] {
  const { service, status, headers } = response;
  const body = parse(response.body) ?? {};
  const code = headers['x-amzn-errortype']?.split(':')[0] ?? String(body.__type ?? '');
  const problems: Violation[] = [];
  const modeled = declared.includes(code);
  if (!modeled && COMMON_ERRORS[code] === undefined) {
    problems.push(violation('$', `error ${code} is neither one ${response.operation} declares nor a common AWS error`));
    return problems;
  }
  if (status !== statusOf(service, code)) {
    problems.push(violation('$', `error ${code} must be answered with HTTP ${statusOf(service, code)}, not ${status}`));
  }
  if (!modeled) {
    const extra = Object.keys(body).filter((key) => !['__type', 'message', 'Message'].includes(key));
    problems.push(...extra.map((key) => violation(`$.${key}`, `is not a member of the common error ${code}`)));
    return problems;
  }
  problems.push(...validate(service, code, body));
  for (const [name, member] of Object.entries(model(service).shapes[code]?.members ?? {})) {
    if (isBodyMember(member)) continue;
    const value = headers[(member.locationName ?? name).toLowerCase()];
    if (value === undefined) continue;
    const typed = model(service).shapes[member.shape]?.type === 'integer' ? Number(value) : value;
    problems.push(...validate(service, member.shape, typed, `header ${member.locationName ?? name}`));
  }
  return problems;
}

/** The query protocol's XML: the elements of `<OperationResult>`, one level deep, as the model's members. */
function checkQueryResult(service: ServiceName, shapeName: string | undefined, xml: string): Violation[] {
  if (shapeName === undefined) return [];
  const result = /<(\w+)Result>([\s\S]*)<\/\1Result>/.exec(xml)?.[2];
  if (result === undefined) return [violation('$', 'no <…Result> element')];
  const members: Record<string, string> = {};
  for (const [, name, value] of result.matchAll(/<(\w+)>([^<]*)<\/\1>/g)) members[name as string] = value as string;
  return validate(service, shapeName, members);
}

function parse(body: string): Record<string, unknown> | undefined {
  if (body.length === 0) return {};
  try {
    return JSON.parse(body) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

function violation(path: string, message: string): Violation {
  return { path, message, constraint: 'type' };
}
