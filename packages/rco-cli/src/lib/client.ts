import { backOff } from 'exponential-backoff';
import fs from 'node:fs';
import { Readable } from 'node:stream';
import { HttpError, NetworkError, errorMessageOf, networkCode } from './errors';

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
 * Whether an attempt may be repeated: connection errors and 5xx answers are, because an identical
 * re-upload returns the record already stored; a 4xx answer would only be refused again.
 */
export function isRetryable(error: unknown): boolean {
  if (error instanceof NetworkError) return true;
  return error instanceof HttpError && error.status >= 500;
}

/** The number of attempts a request made, carried with the error it ended on. */
export class AttemptsError extends Error {
  constructor(readonly cause: Error, readonly attempts: number) {
    super(cause.message);
  }
}

export type Query = Record<string, string | undefined>;

/** `kind:namespace/name` as the API's path segments. */
export function entityPath(ref: {
  kind: string;
  namespace: string;
  name: string;
}) {
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
      if (value !== undefined && value !== '') params.set(key, value);
    }
    const search = params.toString();
    return `${this.baseUrl}${path}${search ? `?${search}` : ''}`;
  }

  /** One attempt: the answer's status and body, or an HttpError / NetworkError. */
  private async once(url: string, init: RequestInit) {
    let res: Response;
    try {
      res = await fetch(url, {
        ...init,
        headers: {
          ...(init.headers as Record<string, string>),
          Authorization: `Bearer ${this.options.token}`,
          Accept: 'application/json',
        },
        signal: AbortSignal.timeout(this.options.requestTimeoutMs ?? 120_000),
      });
    } catch (error) {
      // undici says "fetch failed" and puts the reason in `cause` (a refused port, bad port…).
      const cause = (error as any)?.cause?.message;
      throw new NetworkError(
        networkCode(error) ?? 'UNKNOWN',
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
      throw new HttpError(res.status, errorMessageOf(text));
    }
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  }

  /** Runs `attempt` with exponential backoff on retryable errors. */
  private async withRetries<T>(attempt: () => Promise<T>): Promise<T> {
    let attempts = 0;
    try {
      return await backOff(
        () => {
          attempts++;
          return attempt();
        },
        {
          numOfAttempts: this.options.retries + 1,
          startingDelay: this.options.retryDelayMs ?? 500,
          timeMultiple: 2,
          maxDelay: 30_000,
          jitter: 'full',
          // `made` is the number of attempts so far; the library asks even after the last one.
          retry: (error, made) => {
            if (!isRetryable(error) || made > this.options.retries)
              return false;
            this.options.onRetry?.(error, made);
            return true;
          },
        },
      );
    } catch (error) {
      throw new AttemptsError(error as Error, attempts);
    }
  }

  async get<T>(path: string, query?: Query): Promise<T> {
    const url = this.url(path, query);
    return (await this.withRetries(() => this.once(url, { method: 'GET' })))
      .body as T;
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
