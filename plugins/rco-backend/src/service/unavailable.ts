import { LoggerService } from '@backstage/backend-plugin-api';
import { CustomErrorBase, ServiceUnavailableError } from '@backstage/errors';
import { EventEmitter } from 'events';
import { ErrorRequestHandler } from 'express';
import { Knex } from 'knex';

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
 * node-postgres' words for a connection that was cut or never made: plain `Error`s without a
 * code (pg/lib/client.js). knex puts the statement in front (`<sql> - <message>`).
 */
const PG_MESSAGES = [
  'Connection terminated unexpectedly',
  'Connection terminated',
  'Client has encountered a connection error and is not queryable',
  'Client was closed and is not queryable',
  'timeout expired',
];

/** knex's own plain Error when its pool is gone (a backend stopping): thrown as it is. */
const NO_POOL = 'Unable to acquire a connection';

/**
 * Errors the plugin's database client threw, as knex reported them ({@link watchDatabaseErrors}):
 * the only way to tell a socket error of the database from one of a cluster or a collector.
 */
const fromDatabaseClient = new WeakSet<object>();

/** Marks `error` as thrown by the database client (the watch below, or a store's stand-in). */
export function markDatabaseClientError(error: unknown) {
  if (error && typeof error === 'object') fromDatabaseClient.add(error);
}

/**
 * Watches the plugin's knex for the errors it throws: a failed query ('query-error', the same
 * object the query rejects with, transactions included) and a connection the pool could not make
 * (tarn's 'createFail', the same object the acquire rejects with: knex passes it on).
 */
export function watchDatabaseErrors(db: Knex) {
  db.on('query-error', markDatabaseClientError);
  const pool = (db.client as { pool?: Partial<EventEmitter> }).pool;
  pool?.on?.('createFail', (_id: unknown, error: unknown) =>
    markDatabaseClientError(error),
  );
}

type Inspected = {
  name?: unknown;
  code?: unknown;
  severity?: unknown;
  message?: unknown;
  errors?: unknown;
};

/** A plain `Error`, not a subclass: what node-postgres and knex throw for these. */
const isPlainError = (error: object) =>
  Object.getPrototypeOf(error) === Error.prototype;

/** node-postgres' message, alone or behind knex's statement. */
function pgMessage(message: string) {
  return PG_MESSAGES.find(m => message === m || message.endsWith(` - ${m}`));
}

/** A socket error (or several addresses' AggregateError of them): its code. */
function socketCode(e: Inspected): string | undefined {
  if (typeof e.code === 'string' && NETWORK_CODES.has(e.code)) return e.code;
  if (Array.isArray(e.errors)) {
    for (const inner of e.errors) {
      const code = inner && socketCode(inner as Inspected);
      if (code) return code;
    }
  }
  return undefined;
}

/**
 * Why `error` means the database cannot be reached (a short, secret-free reason such as
 * `ECONNREFUSED` or `57P01` for the log), or undefined if it is any other error.
 *
 * Only what the database client itself throws counts, by its shape, never by words found
 * anywhere in a message:
 * - PostgreSQL's own errors (node-postgres' DatabaseError: a `severity` and a SQLSTATE `code`)
 *   of the server-side classes above;
 * - knex's KnexTimeoutError (no connection from the pool in time), and its plain Error when the
 *   pool is gone;
 * - socket errors and node-postgres' plain "Connection terminated…" errors only when knex threw
 *   them ({@link watchDatabaseErrors}): a cluster, the catalog or a collector out of reach throws
 *   the same socket codes, and must not read as "the database" (a 500 is the honest answer).
 * Errors of @backstage/errors (a NotFoundError naming an entity called "Connection terminated")
 * are the route's own answer, and a `cause` is never followed.
 */
export function databaseUnavailableReason(error: unknown): string | undefined {
  if (!error || typeof error !== 'object') return undefined;
  if (error instanceof CustomErrorBase) return undefined;
  const e = error as Inspected;
  const code = typeof e.code === 'string' ? e.code : undefined;
  if (code && typeof e.severity === 'string' && SQLSTATE.test(code)) {
    return code;
  }
  if (e.name === 'KnexTimeoutError' && error instanceof Error) {
    return 'KnexTimeoutError';
  }
  const message = typeof e.message === 'string' ? e.message : '';
  if (isPlainError(error) && message === NO_POOL) return NO_POOL;
  if (!fromDatabaseClient.has(error)) return undefined;
  const socket = socketCode(e);
  if (socket) return socket;
  return isPlainError(error) ? pgMessage(message) : undefined;
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
