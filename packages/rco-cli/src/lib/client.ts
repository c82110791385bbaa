import { backOff } from 'exponential-backoff';
import fs from 'node:fs';
import { Readable } from 'node:stream';
import {
  CliError,
  HttpError,
  NetworkError,
  NotJsonError,
  RequestError,
  errorMessageOf,
  networkCode,
} from './errors';

/** How the CLI reaches the backend. */
export interface ClientOptions {
  /** The Backstage backend base URL; the plugin is at `${url}/api/rco`. */
  url: string;
  token: string;
  /** Retries after the first attempt, for 5xx answers and connection errors. */
  retries: number;
  /** Delay before the first retry; it doubles on each further one. */
  retryDelayMs?: number;
  /** How long one request may take. */
  requestTimeoutMs?: number;
  /** Told before each retry (the CLI prints it to stderr). */
  onRetry?: (error: Error, attempt: number) => void;
}

/**
 * Whether an attempt may be repeated: connection errors, 429 (a proxy or the backend limiting
 * requests) and 5xx answers are, because an identical re-upload returns the record already
 * stored; any other 4xx answer would only be refused again, and so would a request fetch
 * refuses to make (RequestError).
 */
export function isRetryable(error: unknown): boolean {
  if (error instanceof NetworkError) return true;
  return (
    error instanceof HttpError && (error.status === 429 || error.status >= 500)
  );
}

/** The longest Retry-After the push retries honour; `gates wait` is bounded by its deadline. */
export const MAX_RETRY_AFTER_MS = 60_000;

/** A Retry-After header (seconds, or an HTTP date) in milliseconds from `now`; undefined if none. */
export function retryAfterMs(
  header: string | null,
  now = Date.now(),
): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  if (Number.isNaN(at) || !/[a-z]/i.test(text)) return undefined;
  return Math.max(0, at - now);
}

/** The number of attempts a request made, carried with the error it ended on. */
export class AttemptsError extends Error {
  constructor(readonly cause: Error, readonly attempts: number) {
    super(cause.message);
  }
}

export type Query = Record<string, string | undefined>;

/** What one call may override: `gates wait` retries by polling and bounds each attempt itself. */
export interface CallOptions {
  retries?: number;
  requestTimeoutMs?: number;
}

/**
 * A path segment that would move the request elsewhere: `.` and `..` survive
 * encodeURIComponent, and fetch resolves them, so `component:default/..` would send the token to
 * a route outside the entity's (or outside /api/rco).
 */
export function assertSegment(segment: string, what: string) {
  if (segment === '.' || segment === '..' || segment === '') {
    throw new CliError(
      `The entity ${what} "${segment}" is not a name: an entity ref's kind, namespace and name cannot be empty, "." or "..".`,
    );
  }
}

/** `kind:namespace/name` as the API's path segments. */
export function entityPath(ref: {
  kind: string;
  namespace: string;
  name: string;
}) {
  assertSegment(ref.kind, 'kind');
  assertSegment(ref.namespace, 'namespace');
  assertSegment(ref.name, 'name');
  return `/entities/${[ref.kind, ref.namespace, ref.name]
    .map(encodeURIComponent)
    .join('/')}`;
}

export class RcoClient {
  constructor(private readonly options: ClientOptions) {}

  get baseUrl() {
    return `${this.options.url.replace(/\/+$/, '')}/api/rco`;
  }

  private url(path: string, query: Query = {}) {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) {
      if (value === undefined) continue;
      // An empty value would ask about something else (no digest = the newest release).
      if (value === '') {
        throw new CliError(
          `--${key} is empty: give it a value or leave the option out.`,
        );
      }
      params.set(key, value);
    }
    const search = params.toString();
    return `${this.baseUrl}${path}${search ? `?${search}` : ''}`;
  }

  /** One attempt: the answer's status and body, or an HttpError / NetworkError. */
  private async once(
    url: string,
    init: RequestInit,
    requestTimeoutMs = this.options.requestTimeoutMs ?? 120_000,
  ) {
    let res: Response;
    try {
      res = await fetch(url, {
        ...init,
        headers: {
          ...(init.headers as Record<string, string>),
          Authorization: `Bearer ${this.options.token}`,
          Accept: 'application/json',
        },
        signal: AbortSignal.timeout(Math.max(1, requestTimeoutMs)),
      });
    } catch (error) {
      const code = networkCode(error);
      // fetch refuses to build some requests (a URL with credentials, a bad header) with a
      // TypeError and no connection code: trying again would only be refused again.
      // (By name: fetch's TypeError may come from another realm than this module's.)
      if (code === undefined && (error as Error)?.name === 'TypeError') {
        throw new RequestError(String((error as Error).message));
      }
      // undici says "fetch failed" and puts the reason in `cause` (a refused port, bad port…).
      const cause = (error as any)?.cause?.message;
      throw new NetworkError(
        code ?? 'UNKNOWN',
        typeof cause === 'string' ? cause : undefined,
      );
    }
    let text: string;
    try {
      text = await res.text();
    } catch (error) {
      throw new NetworkError(networkCode(error) ?? 'ECONNRESET');
    }
    if (!res.ok) {
      throw new HttpError(
        res.status,
        errorMessageOf(text),
        retryAfterMs(res.headers.get('retry-after')),
      );
    }
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      throw new NotJsonError(res.status);
    }
    return { status: res.status, body: body as any };
  }

  /** Runs `attempt` with exponential backoff on retryable errors. */
  private async withRetries<T>(
    attempt: () => Promise<T>,
    retries = this.options.retries,
  ): Promise<T> {
    let attempts = 0;
    try {
      return await backOff(
        () => {
          attempts++;
          return attempt();
        },
        {
          numOfAttempts: retries + 1,
          startingDelay: this.options.retryDelayMs ?? 500,
          timeMultiple: 2,
          maxDelay: 30_000,
          jitter: 'full',
          // `made` is the number of attempts so far; the library asks even after the last one.
          retry: async (error, made) => {
            if (!isRetryable(error) || made > retries) return false;
            this.options.onRetry?.(error, made);
            // A 429 or 503 that says when to come back is taken at its word (up to a minute),
            // on top of the backoff.
            const asked = error instanceof HttpError ? error.retryAfterMs : 0;
            if (asked) {
              await new Promise(r =>
                setTimeout(r, Math.min(asked, MAX_RETRY_AFTER_MS)),
              );
            }
            return true;
          },
        },
      );
    } catch (error) {
      throw new AttemptsError(error as Error, attempts);
    }
  }

  async get<T>(
    path: string,
    query?: Query,
    call: CallOptions = {},
  ): Promise<T> {
    const url = this.url(path, query);
    return (
      await this.withRetries(
        () => this.once(url, { method: 'GET' }, call.requestTimeoutMs),
        call.retries,
      )
    ).body as T;
  }

  /**
   * Uploads a file as the raw body, streamed from disk (a fresh stream per attempt), with its
   * length declared so the backend can refuse an oversized file before it is sent.
   */
  async upload(path: string, query: Query, file: string) {
    const url = this.url(path, query);
    const size = fs.statSync(file).size;
    return this.withRetries(() =>
      this.once(url, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/octet-stream',
          'Content-Length': String(size),
        },
        body: Readable.toWeb(fs.createReadStream(file)) as ReadableStream,
        duplex: 'half',
      } as RequestInit),
    );
  }
}
