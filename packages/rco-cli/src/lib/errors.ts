/**
 * Errors the CLI prints as one sentence (never a stack): each says what happened and what to
 * do. `exitCode` is what the process ends with.
 */
export class CliError extends Error {
  constructor(message: string, readonly exitCode = 1) {
    super(message);
    this.name = 'CliError';
  }
}

/** The backend answered with an error status; `message` is its JSON error message, if any. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly backendMessage: string | undefined,
    /** How long the answer's Retry-After asks to wait, if it has one. */
    readonly retryAfterMs?: number,
  ) {
    super(`HTTP ${status}${backendMessage ? `: ${backendMessage}` : ''}`);
    this.name = 'HttpError';
  }
}

/** A 2xx answer whose body is not JSON: a web page, a proxy's login page, the wrong URL. */
export class NotJsonError extends Error {
  constructor(readonly status: number) {
    super(`the answer (${status}) was not JSON`);
    this.name = 'NotJsonError';
  }
}

/**
 * A message on one line: CR and LF written as `\r` and `\n`, so text from a file, the backend or
 * an argument cannot start a line of its own (a CI log reads each line as a possible command).
 */
export function oneLine(text: string): string {
  return text.replace(/\r/g, '\\r').replace(/\n/g, '\\n');
}

/**
 * Every line of `text` with a leading GitHub workflow command (`::cmd` or the older `##[cmd]`)
 * defused, so only the CLI's own annotations can start one.
 */
export function neutralise(text: string): string {
  return text
    .split(/(\r\n|\r|\n)/)
    .map(part =>
      part.replace(/^(\s*):(?=:)/, '$1: ').replace(/^(\s*)#(?=#\[)/, '$1# '),
    )
    .join('');
}

/** Removes `user:password@` from any URL in `text`, so a message never carries credentials. */
export function withoutCredentials(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^/?#\s]*@/gi, '$1');
}

/**
 * fetch refused to make the request (a TypeError without a connection code: a URL with
 * credentials, a header it cannot send). Not retried: it would be refused again.
 */
export class RequestError extends Error {
  constructor(detail: string) {
    super(`the request could not be made: ${withoutCredentials(detail)}`);
    this.name = 'RequestError';
  }
}

/** Connection failures in words. */
const NETWORK_WORDS: Record<string, string> = {
  ECONNREFUSED: 'the connection was refused (nothing listens there)',
  ENOTFOUND: 'the host name does not resolve',
  EAI_AGAIN: 'the host name could not be resolved right now',
  ECONNRESET: 'the connection was reset',
  ETIMEDOUT: 'the connection timed out',
  UND_ERR_CONNECT_TIMEOUT: 'the connection timed out',
  TIMEOUT: 'it did not answer in time',
  EHOSTUNREACH: 'the host is unreachable',
  ENETUNREACH: 'the network is unreachable',
  CERT_HAS_EXPIRED: "the server's TLS certificate has expired",
  DEPTH_ZERO_SELF_SIGNED_CERT: "the server's TLS certificate is self-signed",
  UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    "the server's TLS certificate is not trusted",
};

/** The backend could not be reached (refused, unknown host, reset, timed out). */
export class NetworkError extends Error {
  readonly detail?: string;
  constructor(readonly code: string, detail?: string) {
    const clean = detail === undefined ? undefined : withoutCredentials(detail);
    super(`cannot connect: ${NETWORK_WORDS[code] ?? clean ?? code}`);
    this.name = 'NetworkError';
    this.detail = clean;
  }
}

/** The connection-level code of a failed fetch (undici wraps it in `cause`). */
export function networkCode(error: unknown): string | undefined {
  const e = error as any;
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return 'TIMEOUT';
  const code = e?.cause?.code ?? e?.code ?? e?.cause?.cause?.code;
  if (typeof code === 'string') return code;
  // By name: fetch's TypeError may come from another realm (a test runner's globals).
  if (e?.name === 'TypeError' && /fetch failed/.test(String(e.message))) {
    return 'FETCH_FAILED';
  }
  return undefined;
}

/** The `error.message` of Backstage's JSON error body, or undefined when there is none. */
export function errorMessageOf(body: string): string | undefined {
  try {
    const parsed = JSON.parse(body);
    const message = parsed?.error?.message ?? parsed?.message;
    return typeof message === 'string' ? message : undefined;
  } catch {
    return undefined;
  }
}

/** What the request was for, so a sentence can name it. */
export interface RequestContext {
  /** The backend base URL (no token in it). */
  url: string;
  /** `component:default/rco`. */
  entity?: string;
  /** "upload evidence for", "read the status of". */
  action: string;
  /** The file being uploaded, if any. */
  file?: string;
  attempts?: number;
}

/** The sentence for an error the CLI met while talking to the backend. */
export function describeError(error: unknown, ctx: RequestContext): string {
  const tries =
    ctx.attempts && ctx.attempts > 1 ? ` after ${ctx.attempts} attempts` : '';
  const what = ctx.file ? `${ctx.file}: ` : '';
  const entity = ctx.entity ?? 'the entity';
  if (error instanceof NetworkError) {
    const why =
      NETWORK_WORDS[error.code] ??
      `the request failed (${error.detail ?? error.code})`;
    return `${what}Cannot reach the backend at ${ctx.url}${tries}: ${why}. Check --url (or RCO_URL) and that the backend is running and reachable from this machine.`;
  }
  if (error instanceof RequestError) {
    return `${what}The CLI could not send a request to the backend at ${
      ctx.url
    }: ${oneLine(
      error.message,
    )}. Check --url (or RCO_URL) and --token (or RCO_TOKEN).`;
  }
  if (error instanceof NotJsonError) {
    return `${what}The backend at ${ctx.url} answered ${error.status}, but the answer was not JSON: check --url points at the Backstage backend (not a web page or a proxy in front of it).`;
  }
  if (!(error instanceof HttpError)) {
    return `${what}${oneLine(
      withoutCredentials((error as Error)?.message ?? String(error)),
    )}`;
  }
  const said = error.backendMessage
    ? ` The backend says: ${oneLine(error.backendMessage)}`
    : '';
  const end = (text: string) => (/[.!?]$/.test(text) ? text : `${text}.`);
  switch (error.status) {
    case 401:
      return `${what}The backend did not accept the token (401 Unauthorized). Check that --token (or RCO_TOKEN) holds a valid, unexpired Backstage token for ${ctx.url}.`;
    case 403:
      return end(
        `${what}The token may not ${ctx.action} ${entity} (403 Forbidden). Use a token whose subject is listed for ${entity} in rco.ci.subjects (CI), or a person of the owning team.${said}`,
      );
    case 404:
      return end(
        `${what}Not found (404): check that ${entity} exists in the catalog and that this token may see it, and that the RCO plugin is served at ${ctx.url}/api/rco.${said}`,
      );
    case 429:
      return end(
        `${what}The backend, or a proxy in front of it, is limiting requests (429 Too Many Requests)${tries}. Try again later.${said}`,
      );
    case 413:
      return end(
        `${what}The file is larger than the backend accepts (413 Payload Too Large). Upload a smaller file (one document per file), or ask an admin to raise rco.evidence.maxUploadBytes.${said}`,
      );
    case 400:
    case 422:
      return end(
        `${what}The backend refused the request (${error.status}): ${
          error.backendMessage
            ? oneLine(error.backendMessage)
            : 'no reason given'
        }. Fix the file or the options and run the command again`,
      );
    default:
      if (error.status >= 500) {
        return end(
          `${what}The backend failed (${error.status})${tries}. Try again later; the backend's logs say why.${said}`,
        );
      }
      return end(
        `${what}The backend answered ${error.status}.${
          said || ' No reason given.'
        }`,
      );
  }
}

/** Never let a token reach the terminal or a CI log, whatever a message contains. */
export function redact(text: string, token: string | undefined): string {
  return token && token.length >= 4 ? text.split(token).join('***') : text;
}
