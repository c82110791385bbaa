/**
 * What went wrong in a call to a Kubernetes API server, read once for every client in the plugin
 * (the Argo Rollouts driver and the collector's cluster client word it for their own callers).
 * The client library's own error messages quote bodies and headers, so only the status code,
 * the server's `Status.message` and the transport error code are taken from it; callers pass the
 * result through `redactError` before it leaves them.
 */
import { ApiException } from '@kubernetes/client-node';

/** The API server's own explanation, from a `Status` body (object or JSON text). */
export function statusMessage(body: unknown): string | undefined {
  let parsed = body;
  if (typeof body === 'string') {
    try {
      parsed = JSON.parse(body);
    } catch {
      return body.trim() ? body.trim().slice(0, 300) : undefined;
    }
  }
  const message = (parsed as { message?: unknown } | undefined)?.message;
  return typeof message === 'string' ? message : undefined;
}

const REASONS: Record<number, string> = {
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  410: 'Gone',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

const TRANSPORT: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ENOTFOUND: 'host not found',
  EHOSTUNREACH: 'host unreachable',
  ETIMEDOUT: 'connection timed out',
  CERT_HAS_EXPIRED: 'its TLS certificate has expired',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'its TLS certificate is not trusted',
  SELF_SIGNED_CERT_IN_CHAIN: 'its TLS certificate is not trusted',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'its TLS certificate is not trusted',
};

/** A failed Kubernetes API call, classified. */
export type KubeFailure =
  /** The caller's signal ended the call; `timedOut` when it was the caller's own timeout. */
  | { kind: 'cancelled'; timedOut: boolean }
  /**
   * The server answered with an error status. `answer` is the code with its reason phrase
   * ("403 Forbidden"); `detail` the server's own explanation, when it gave one.
   */
  | { kind: 'answered'; code: number; answer: string; detail?: string }
  /**
   * The server was not reached. `reason` is a known transport failure in words ("connection
   * refused") or the bare error code; `message` the transport error's own text.
   */
  | { kind: 'unreachable'; reason: string; message: string };

/** Classifies what a `@kubernetes/client-node` call threw. */
export function describeKubeError(
  e: unknown,
  signal?: AbortSignal,
): KubeFailure {
  if (signal?.aborted) {
    return {
      kind: 'cancelled',
      timedOut: (signal.reason as Error | undefined)?.name === 'TimeoutError',
    };
  }
  if (e instanceof ApiException) {
    const code = e.code;
    return {
      kind: 'answered',
      code,
      answer: `${code}${REASONS[code] ? ` ${REASONS[code]}` : ''}`,
      detail: statusMessage(e.body),
    };
  }
  const err = e as { code?: string; errno?: string; message?: string };
  const code = err?.code ?? err?.errno;
  const message = e instanceof Error ? e.message : String(e);
  const reason =
    (code && TRANSPORT[code]) ||
    (code ?? (err?.message ? err.message.slice(0, 200) : String(e)));
  return { kind: 'unreachable', reason, message };
}
