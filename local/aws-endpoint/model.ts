import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * AWS's own service models (botocore data files, see models/README.md) and a generic validator over
 * their shapes. The endpoint checks every request with it and the conformance suite every response:
 * nothing here knows one operation from another.
 */

export type ServiceName = 'account' | 'inspector2' | 'organizations' | 'securityhub' | 'sqs' | 'ssm' | 'sts';

interface MemberRef {
  readonly shape: string;
  /** `header`, `querystring`, `uri`: bound outside the JSON body. */
  readonly location?: string;
  readonly locationName?: string;
}

export interface Shape {
  readonly type: string;
  readonly members?: Record<string, MemberRef>;
  readonly required?: readonly string[];
  readonly member?: MemberRef;
  readonly key?: MemberRef;
  readonly value?: MemberRef;
  readonly min?: number;
  readonly max?: number;
  readonly pattern?: string;
  readonly enum?: readonly string[];
  readonly exception?: boolean;
  readonly fault?: boolean;
  readonly error?: { readonly httpStatusCode?: number; readonly code?: string; readonly senderFault?: boolean };
}

export interface Operation {
  readonly name: string;
  readonly http?: { readonly method: string; readonly requestUri: string; readonly responseCode?: number };
  readonly input?: { readonly shape: string };
  readonly output?: { readonly shape: string };
  readonly errors?: readonly { readonly shape: string }[];
}

export interface ServiceModel {
  readonly source: string;
  readonly metadata: { readonly protocol: string; readonly targetPrefix?: string; readonly serviceId: string };
  readonly operations: Record<string, Operation>;
  readonly shapes: Record<string, Shape>;
}

/** One way a value departs from its shape, at a JSON path such as `$.accountIds[3].accountId`. */
export interface Violation {
  readonly path: string;
  readonly message: string;
  /** What kind of constraint failed, for services that name it in their error (Organizations' `Reason`). */
  readonly constraint: 'required' | 'type' | 'unknown' | 'min' | 'max' | 'minLength' | 'maxLength' | 'pattern' | 'enum';
}

const MODELS_DIRECTORY = join(__dirname, 'models');
const models = new Map<ServiceName, ServiceModel>();

export function model(service: ServiceName): ServiceModel {
  let loaded = models.get(service);
  if (loaded === undefined) {
    loaded = JSON.parse(readFileSync(join(MODELS_DIRECTORY, `${service}.json`), 'utf8')) as ServiceModel;
    models.set(service, loaded);
  }
  return loaded;
}

export function operationOf(service: ServiceName, name: string): Operation | undefined {
  return model(service).operations[name];
}

const patterns = new Map<string, RegExp>();

/** AWS matches a pattern against the whole value (the API references print them anchored, `^…$`). */
function wholeMatch(pattern: string): RegExp {
  let regex = patterns.get(pattern);
  if (regex === undefined) {
    regex = new RegExp(`^(?:${pattern})$`);
    patterns.set(pattern, regex);
  }
  return regex;
}

/** Whether a body member is bound outside the JSON body (a header, the query string, the URI). */
export function isBodyMember(member: MemberRef): boolean {
  return member.location === undefined;
}

/**
 * Every way `value` departs from the shape `shapeName` of `service`'s model: required members,
 * types, list, map and string lengths, integer ranges, whole-value patterns, enums, and members
 * the shape does not have. Members bound to headers or the URI are not expected in `value`.
 */
export function validate(service: ServiceName, shapeName: string, value: unknown, path = '$'): Violation[] {
  const violations: Violation[] = [];
  walk(model(service), shapeName, value, path, violations);
  return violations;
}

function walk(serviceModel: ServiceModel, shapeName: string, value: unknown, path: string, out: Violation[]): void {
  const shape = serviceModel.shapes[shapeName];
  if (shape === undefined) throw new Error(`shape ${shapeName} is not in the ${serviceModel.metadata.serviceId} model`);
  const fail = (constraint: Violation['constraint'], message: string): void => {
    out.push({ path, message, constraint });
  };
  switch (shape.type) {
    case 'structure': {
      if (!isObject(value)) return fail('type', `must be an object (${shapeName})`);
      const members = shape.members ?? {};
      for (const name of shape.required ?? []) {
        const member = members[name];
        if (member !== undefined && isBodyMember(member) && (value[name] === undefined || value[name] === null)) {
          out.push({ path: `${path}.${name}`, message: `is required (${shapeName})`, constraint: 'required' });
        }
      }
      for (const [name, item] of Object.entries(value)) {
        const member = members[name];
        if (member === undefined || !isBodyMember(member)) {
          if (name === '__type') continue; // the JSON protocols' error type marker
          out.push({ path: `${path}.${name}`, message: `is not a member of ${shapeName}`, constraint: 'unknown' });
        } else if (item !== undefined && item !== null) {
          walk(serviceModel, member.shape, item, `${path}.${name}`, out);
        }
      }
      return;
    }
    case 'list': {
      if (!Array.isArray(value)) return fail('type', `must be a list (${shapeName})`);
      checkLength(shape, value.length, 'items', fail);
      value.forEach((item, index) => {
        if (shape.member) walk(serviceModel, shape.member.shape, item, `${path}[${index}]`, out);
      });
      return;
    }
    case 'map': {
      if (!isObject(value)) return fail('type', `must be a map (${shapeName})`);
      checkLength(shape, Object.keys(value).length, 'entries', fail);
      for (const [key, item] of Object.entries(value)) {
        if (shape.key) walk(serviceModel, shape.key.shape, key, `${path}{${key}}`, out);
        if (shape.value) walk(serviceModel, shape.value.shape, item, `${path}.${key}`, out);
      }
      return;
    }
    case 'string': {
      if (typeof value !== 'string') return fail('type', `must be a string (${shapeName})`);
      // A string's length is a constraint of its own: Organizations names it MIN_/MAX_LENGTH_EXCEEDED.
      checkLength(shape, value.length, 'characters', (constraint, message) =>
        fail(constraint === 'min' ? 'minLength' : 'maxLength', message),
      );
      if (shape.pattern !== undefined && !wholeMatch(shape.pattern).test(value)) {
        fail('pattern', `${JSON.stringify(value)} does not match the pattern ${shape.pattern} (${shapeName})`);
      }
      if (shape.enum !== undefined && !shape.enum.includes(value)) {
        fail('enum', `${JSON.stringify(value)} is not one of ${shape.enum.join(', ')} (${shapeName})`);
      }
      return;
    }
    case 'integer':
    case 'long': {
      if (typeof value !== 'number' || !Number.isInteger(value))
        return fail('type', `must be an integer (${shapeName})`);
      if (shape.min !== undefined && value < shape.min) fail('min', `must be at least ${shape.min} (${shapeName})`);
      if (shape.max !== undefined && value > shape.max) fail('max', `must be at most ${shape.max} (${shapeName})`);
      return;
    }
    case 'float':
    case 'double':
      if (typeof value !== 'number') fail('type', `must be a number (${shapeName})`);
      return;
    case 'boolean':
      if (typeof value !== 'boolean') fail('type', `must be true or false (${shapeName})`);
      return;
    case 'timestamp':
      // JSON protocols send epoch seconds.
      if (typeof value !== 'number') fail('type', `must be a timestamp in epoch seconds (${shapeName})`);
      return;
    case 'blob':
      if (typeof value !== 'string') fail('type', `must be base64 text (${shapeName})`);
      return;
    default:
      throw new Error(`shape type ${shape.type} of ${shapeName} is not supported`);
  }
}

function checkLength(
  shape: Shape,
  length: number,
  unit: string,
  fail: (constraint: Violation['constraint'], message: string) => void,
): void {
  if (shape.min !== undefined && length < shape.min) fail('min', `must have at least ${shape.min} ${unit}`);
  if (shape.max !== undefined && length > shape.max) fail('max', `must have at most ${shape.max} ${unit}`);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
