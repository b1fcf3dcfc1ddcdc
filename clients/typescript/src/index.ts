/** alma-memory: the TypeScript client of the ALMA multi-agent memory service. */

export { ALMA } from './client.js';
export {
  AgentNotFoundError,
  ALMAError,
  type ALMAErrorInit,
  type FieldError,
  ForbiddenError,
  MemoryNotFoundError,
  NotFoundError,
  NotOwnerError,
  PayloadTooLargeError,
  type ProblemDetails,
  ProjectNotFoundError,
  RequestTimeoutError,
  ScopeViolationError,
  ServiceUnavailableError,
  ServiceUnreachableError,
  UnauthorizedError,
  ValidationError,
} from './errors.js';
export { DEFAULT_BASE_URL, DEFAULT_TIMEOUT_MS } from './http.js';
// Every type of items, options and results, and MEMORY_KINDS.
export * from './types.js';
