import { LoggerService } from '@backstage/backend-plugin-api';
import { ServiceUnavailableError } from '@backstage/errors';
import { ErrorRequestHandler } from 'express';

/** Socket errors of a database connection that could not be made or was cut. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * PostgreSQL SQLSTATEs that say the server, not the statement, is the problem: class 08
 * (connection exception), 57P01 admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now
 * (starting up, shutting down, recovering) and 53300 too_many_connections.
 */
const SQLSTATE = /^(08[0-9A-Z]{3}|57P0[123]|53300)$/;

/**
 * What the drivers say when there is no code to read: node-postgres on a cut connection, knex
 * when its pool cannot hand one out (a server that does not answer, or a pool being destroyed
 * while the backend stops). Matched anywhere: knex puts the SQL in front of the driver's message.
 */
const MESSAGES = [
  'Connection terminated',
  'Connection ended unexpectedly',
  'is not queryable',
  'Timeout acquiring a connection',
  'Unable to acquire a connection',
  'terminating connection due to administrator command',
  'the database system is starting up',
  'the database system is shutting down',
  'the database system is in recovery mode',
];

type Inspected = {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  errors?: unknown;
};

/**
 * Why `error` means the database cannot be reached (a short, secret-free reason such as
 * `ECONNREFUSED` or `57P01` for the log), or undefined if it is any other error.
 *
 * Only what the database client itself throws counts: knex hands on node-postgres' errors and
 * Node's socket errors as they are (several addresses tried give an AggregateError of them). A
 * `cause` is not followed, and neither is a fetch error: a cluster, the catalog or a collector
 * that cannot be reached wraps the same socket codes, and must not read as "the database".
 */
export function databaseUnavailableReason(error: unknown): string | undefined {
  if (!error || typeof error !== 'object') return undefined;
  const e = error as Inspected;
  if (e.name === 'FetchError') return undefined;
  const code = typeof e.code === 'string' ? e.code : undefined;
  if (code && (NETWORK_CODES.has(code) || SQLSTATE.test(code))) return code;
  if (e.name === 'KnexTimeoutError') return 'KnexTimeoutError';
  const message = typeof e.message === 'string' ? e.message : '';
  const known = MESSAGES.find(m => message.includes(m));
  if (known) return known;
  if (e.name === 'AggregateError' && Array.isArray(e.errors)) {
    for (const inner of e.errors) {
      const reason = databaseUnavailableReason(inner);
      if (reason) return reason;
    }
  }
  return undefined;
}

export const isDatabaseUnavailable = (error: unknown) =>
  databaseUnavailableReason(error) !== undefined;

/** Seconds a caller is asked to wait before trying again (a restart takes a few). */
export const RETRY_AFTER_SECONDS = 5;

/**
 * The answer to a request the database could not serve: a 503 in our words. Nothing of the
 * original is kept (no cause, no stack): knex writes the statement and its bindings, which can
 * be an uploaded document or a comment, into the driver's message.
 */
export function databaseUnavailableError() {
  const error = new ServiceUnavailableError(
    'The database is unavailable: try again shortly',
  );
  delete error.stack;
  return error;
}

/**
 * Express error handler, last in the plugin's router: database connection failures become a
 * 503 with Retry-After (Backstage's error handler maps ServiceUnavailableError to 503) instead
 * of a 500 carrying the driver's message. Every other error goes on unchanged.
 */
export function unavailableErrorHandler(
  logger?: LoggerService,
): ErrorRequestHandler {
  return (error, req, res, next) => {
    const reason = databaseUnavailableReason(error);
    if (!reason) {
      next(error);
      return;
    }
    logger?.warn(
      `Database unavailable for ${req.method} ${req.baseUrl}${req.path} (${reason})`,
    );
    if (!res.headersSent) res.set('Retry-After', String(RETRY_AFTER_SECONDS));
    next(databaseUnavailableError());
  };
}
