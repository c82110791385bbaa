/**
 * The server's own words for a refused request. `ResponseError.fromResponse` titles its error
 * "Request failed with 409 Conflict" and keeps the backend's message (which names the blocking
 * gates, the missing sign-offs or the running operation) in its body and cause: that message is
 * what the person needs to read.
 */
export function messageOf(error: unknown): string {
  const e = error as
    | {
        body?: { error?: { message?: string } };
        cause?: { message?: string };
        message?: string;
        response?: { status?: number };
      }
    | undefined;
  const server = e?.body?.error?.message || e?.cause?.message;
  if (server && server !== e?.message) {
    return e?.response?.status
      ? `${server} (HTTP ${e.response.status})`
      : server;
  }
  return e?.message || String(error);
}
