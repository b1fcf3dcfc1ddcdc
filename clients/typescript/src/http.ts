/**
 * One HTTP exchange with the service: URL, headers, timeout, and every failure turned into an ALMAError.
 *
 * Not here: paths of the API or the shape of its bodies (client.ts).
 */

import {
  ALMAError,
  errorFromResponse,
  type ProblemDetails,
  RequestTimeoutError,
  ServiceUnreachableError,
} from './errors.js';
import type { RequestOptions } from './types.js';

export const DEFAULT_BASE_URL = 'http://localhost:8765';
export const DEFAULT_TIMEOUT_MS = 10_000;

export type QueryValue = string | number | boolean | undefined;

export interface Exchange {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  query?: Record<string, QueryValue>;
  /** Sent as JSON. */
  json?: unknown;
  /** Sent as it is, with `contentType`. */
  text?: string;
  contentType?: string;
  options?: RequestOptions | undefined;
}

export interface HttpSettings {
  baseUrl: string;
  apiKey: string | undefined;
  timeoutMs: number;
  fetch: typeof fetch;
}

/** Sends requests to one service and returns their parsed JSON bodies (undefined for an empty answer). */
export class Http {
  readonly baseUrl: string;
  readonly timeoutMs: number;
  readonly #apiKey: string | undefined;
  readonly #fetch: typeof fetch;

  constructor(settings: HttpSettings) {
    this.baseUrl = settings.baseUrl;
    this.timeoutMs = settings.timeoutMs;
    this.#apiKey = settings.apiKey;
    this.#fetch = settings.fetch;
  }

  /** The answer's body, parsed; throws the ALMAError that fits when there is no successful answer. */
  async send<T>(exchange: Exchange): Promise<T> {
    const url = this.#url(exchange.path, exchange.query);
    const headers: Record<string, string> = { accept: 'application/json, application/problem+json' };
    if (this.#apiKey) headers['authorization'] = `Bearer ${this.#apiKey}`;
    let body: string | undefined;
    if (exchange.json !== undefined) {
      body = JSON.stringify(exchange.json);
      headers['content-type'] = 'application/json';
    } else if (exchange.text !== undefined) {
      body = exchange.text;
      headers['content-type'] = exchange.contentType ?? 'text/plain';
    }

    const timeoutMs = exchange.options?.timeoutMs ?? this.timeoutMs;
    const callerSignal = exchange.options?.signal;
    const controller = new AbortController();
    let timedOut = false;
    const timer =
      timeoutMs > 0
        ? setTimeout(() => {
            timedOut = true;
            controller.abort();
          }, timeoutMs)
        : undefined;
    const forwardAbort = () => controller.abort(callerSignal?.reason);
    if (callerSignal?.aborted) forwardAbort();
    else callerSignal?.addEventListener('abort', forwardAbort, { once: true });

    const failed = (error: unknown): unknown => {
      if (callerSignal?.aborted) return callerSignal.reason ?? error;
      if (timedOut) return this.#timeout(exchange.method, url, timeoutMs, error);
      return this.#unreachable(exchange.method, url, error);
    };

    try {
      let response: Response;
      let responseText: string;
      try {
        response = await this.#fetch(url, { method: exchange.method, headers, body, signal: controller.signal });
        responseText = await response.text();
      } catch (error) {
        throw failed(error);
      }
      return parse<T>(response, responseText, exchange.method, url);
    } finally {
      if (timer !== undefined) clearTimeout(timer);
      callerSignal?.removeEventListener('abort', forwardAbort);
    }
  }

  #url(path: string, query: Record<string, QueryValue> | undefined): string {
    const search = new URLSearchParams();
    for (const [name, value] of Object.entries(query ?? {})) {
      if (value !== undefined) search.append(name, String(value));
    }
    const rest = search.toString();
    return `${this.baseUrl}${path}${rest ? `?${rest}` : ''}`;
  }

  #unreachable(method: string, url: string, error: unknown): ALMAError {
    const reason = networkReason(error);
    const detail =
      `Cannot reach the ALMA service at ${this.baseUrl} (${method} ${url} failed: ${reason}). ` +
      'Is it running? Start it with `alma serve`, or point baseUrl at the address it listens on.';
    return new ServiceUnreachableError(detail, { status: 0, detail, method, url, cause: error });
  }

  #timeout(method: string, url: string, timeoutMs: number, error: unknown): ALMAError {
    const detail =
      `The ALMA service at ${this.baseUrl} did not answer ${method} ${url} within ${timeoutMs} ms. ` +
      `Retry, give the call a larger timeoutMs, or check ${this.baseUrl}/health.`;
    return new RequestTimeoutError(detail, { status: 0, detail, method, url, cause: error, timeoutMs });
  }
}

function parse<T>(response: Response, text: string, method: string, url: string): T {
  const contentType = response.headers.get('content-type') ?? '';
  let parsed: unknown = undefined;
  if (text.length > 0 && /\bjson\b/i.test(contentType)) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
  }
  if (!response.ok) {
    const problem = isObject(parsed) ? (parsed as ProblemDetails) : undefined;
    throw errorFromResponse(response.status, problem, text, method, url);
  }
  if (text.length > 0 && parsed === undefined) {
    const detail =
      `${method} ${url} answered ${response.status} with a body that is not JSON ` +
      `(${contentType || 'no content type'}). Does baseUrl point at an ALMA service?`;
    throw new ALMAError(detail, { status: response.status, detail, method, url });
  }
  return parsed as T;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The most telling words of a fetch failure: Node puts the system error code on `cause`. */
function networkReason(error: unknown): string {
  const cause = isObject(error) ? error['cause'] : undefined;
  if (isObject(cause)) {
    if (typeof cause['message'] === 'string' && cause['message']) return cause['message'];
    if (typeof cause['code'] === 'string') return cause['code'];
  }
  return error instanceof Error ? error.message : String(error);
}
