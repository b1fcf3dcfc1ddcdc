/**
 * The SDK's errors: one class per thing a caller can act on, built from the service's RFC 9457 problem
 * details (`type` = `urn:alma:problem:<slug>`), plus the two failures that have no HTTP answer
 * (unreachable, timed out).
 */

export const PROBLEM_TYPE_PREFIX = 'urn:alma:problem:';

/** One wrong field of a request, as the service names it (snake_case, dotted for nested fields). */
export interface FieldError {
  /** The field as the caller named it (an SDK option's camelCase name, where it has one). */
  field: string;
  message: string;
  /** The field as the service named it, where that differs (`top_k` for `topK`). */
  wireField?: string;
}

/** An RFC 9457 problem details body as the service sends it, with any extra members. */
export interface ProblemDetails {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  instance?: string;
  errors?: FieldError[];
  [member: string]: unknown;
}

export interface ALMAErrorInit {
  status: number;
  detail: string;
  problem?: ProblemDetails | undefined;
  method?: string | undefined;
  url?: string | undefined;
  cause?: unknown;
}

/** Every error the SDK throws. `status` is the HTTP status, or 0 when no answer came. */
export class ALMAError extends Error {
  readonly status: number;
  /** What happened and what to do next, as the service (or the SDK) said it. */
  readonly detail: string;
  /** The problem details body, when the service sent one. */
  readonly problem: ProblemDetails | undefined;
  /** The problem's slug (`agent-not-found`, `scope-violation`, ...), when the service sent one. */
  readonly slug: string | undefined;
  readonly method: string | undefined;
  readonly url: string | undefined;

  constructor(message: string, init: ALMAErrorInit) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = new.target.name;
    this.status = init.status;
    this.detail = init.detail;
    this.problem = init.problem;
    this.slug = slugOf(init.problem);
    this.method = init.method;
    this.url = init.url;
  }
}

/** 400 or 422: a field is wrong (`errors` names it), the body is malformed, or the config is invalid. */
export class ValidationError extends ALMAError {
  readonly errors: FieldError[];

  constructor(message: string, init: ALMAErrorInit) {
    super(message, init);
    this.errors = Array.isArray(init.problem?.errors) ? init.problem.errors : [];
  }

  /** Name the fields as the caller wrote them: `names` maps the service's names to the SDK's. */
  nameFieldsAs(names: Record<string, string>): void {
    const renamed: string[] = [];
    for (const fieldError of this.errors) {
      const [head = '', ...rest] = fieldError.field.split('.');
      const sdkName = names[head];
      if (sdkName === undefined) continue;
      fieldError.wireField = fieldError.field;
      fieldError.field = [sdkName, ...rest].join('.');
      renamed.push(`${fieldError.field} (sent as ${fieldError.wireField})`);
    }
    if (renamed.length > 0) this.message = `${this.message} In this SDK: ${renamed.join(', ')}.`;
  }
}

/** 401: a key is required and was missing, unknown or revoked. */
export class UnauthorizedError extends ALMAError {}

/** 403: the key may not act as that agent. The base of the other refusals. */
export class ForbiddenError extends ALMAError {}

/** 403: a write outside the agent's `can_learn` (or inside its `cannot_learn`). */
export class ScopeViolationError extends ForbiddenError {}

/** 403: a change to, or deletion of, another agent's memory. */
export class NotOwnerError extends ForbiddenError {}

/** 404: the project, agent, memory or path does not exist. */
export class NotFoundError extends ALMAError {}

/** 404: the agent is not in the project's config; `knownAgents` lists those that are. */
export class AgentNotFoundError extends NotFoundError {
  readonly agent: string | undefined;
  readonly knownAgents: string[];

  constructor(message: string, init: ALMAErrorInit) {
    super(message, init);
    const problem = init.problem ?? {};
    this.agent = typeof problem['agent'] === 'string' ? problem['agent'] : undefined;
    this.knownAgents = stringList(problem['known_agents']);
  }
}

export class ProjectNotFoundError extends NotFoundError {}

export class MemoryNotFoundError extends NotFoundError {}

/** 413: the request body is over the service's limit. */
export class PayloadTooLargeError extends ALMAError {}

/** 502, 503, 504: the service (or its database) cannot answer now; retry. */
export class ServiceUnavailableError extends ALMAError {}

/** No HTTP answer: the connection failed (refused, reset, unknown host). */
export class ServiceUnreachableError extends ALMAError {}

/** No complete answer within the timeout. */
export class RequestTimeoutError extends ALMAError {
  readonly timeoutMs: number;

  constructor(message: string, init: ALMAErrorInit & { timeoutMs: number }) {
    super(message, init);
    this.timeoutMs = init.timeoutMs;
  }
}

type ErrorClass = new (message: string, init: ALMAErrorInit) => ALMAError;

const CLASS_BY_SLUG: Record<string, ErrorClass> = {
  'malformed-request': ValidationError,
  'validation-error': ValidationError,
  'invalid-input': ValidationError,
  'invalid-config': ValidationError,
  unauthorized: UnauthorizedError,
  forbidden: ForbiddenError,
  'scope-violation': ScopeViolationError,
  'not-owner': NotOwnerError,
  'not-found': NotFoundError,
  'route-not-found': NotFoundError,
  'agent-not-found': AgentNotFoundError,
  'project-not-found': ProjectNotFoundError,
  'memory-not-found': MemoryNotFoundError,
  'request-entity-too-large': PayloadTooLargeError,
  'database-unavailable': ServiceUnavailableError,
};

const CLASS_BY_STATUS: Record<number, ErrorClass> = {
  400: ValidationError,
  401: UnauthorizedError,
  403: ForbiddenError,
  404: NotFoundError,
  413: PayloadTooLargeError,
  422: ValidationError,
  502: ServiceUnavailableError,
  503: ServiceUnavailableError,
  504: ServiceUnavailableError,
};

/** The error for an HTTP answer that is not a success: by the problem's slug, else by the status. */
export function errorFromResponse(
  status: number,
  problem: ProblemDetails | undefined,
  bodyText: string,
  method: string,
  url: string,
): ALMAError {
  const slug = slugOf(problem);
  const errorClass = (slug && CLASS_BY_SLUG[slug]) || CLASS_BY_STATUS[status] || ALMAError;
  let detail = problem?.detail ?? (bodyText.trim().slice(0, 500) || `HTTP ${status}`);
  const unknownPath = slug === 'route-not-found' || status === 405;
  if (unknownPath) {
    // The path (or the method on it) is unknown to the service: most often a service older than this SDK.
    detail = `The service has no ${method} ${new URL(url).pathname}: is it older than this SDK? Upgrade it. (${detail})`;
  }
  return new errorClass(detail, { status, detail, problem, method, url });
}

function slugOf(problem: ProblemDetails | undefined): string | undefined {
  const type = problem?.type;
  return typeof type === 'string' && type.startsWith(PROBLEM_TYPE_PREFIX)
    ? type.slice(PROBLEM_TYPE_PREFIX.length)
    : undefined;
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}
