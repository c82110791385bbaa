import { mockServices } from '@backstage/backend-test-utils';
import { MiddlewareFactory } from '@backstage/backend-defaults/rootHttpRouter';
import { ConflictError, InputError } from '@backstage/errors';
import express from 'express';
import { KnexTimeoutError } from 'knex';
import request from 'supertest';
import {
  databaseUnavailableReason,
  isDatabaseUnavailable,
  unavailableErrorHandler,
} from './unavailable';

/** node-postgres' server error: its class name is what Backstage's error filter looks at. */
class DatabaseError extends Error {
  constructor(message: string, readonly code: string) {
    super(message);
  }
}

const withCode = (message: string, code: string) =>
  Object.assign(new Error(message), { code });

// As knex words them: the statement and its bindings in front of the driver's message.
const SECRET = 'AKIA-very-secret-upload';
const knexWrapped = (message: string) =>
  new Error(
    `insert into "rco_evidence" ("raw") values ('${SECRET}') - ${message}`,
  );

describe('databaseUnavailableReason', () => {
  it.each([
    [
      'a refused connection',
      withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'),
      'ECONNREFUSED',
    ],
    [
      'a reset connection',
      withCode('read ECONNRESET', 'ECONNRESET'),
      'ECONNRESET',
    ],
    [
      'admin shutdown (fast stop)',
      new DatabaseError(
        'terminating connection due to administrator command',
        '57P01',
      ),
      '57P01',
    ],
    [
      'crash shutdown',
      new DatabaseError(
        'terminating connection because of crash of another server process',
        '57P02',
      ),
      '57P02',
    ],
    [
      'a server starting up',
      new DatabaseError('the database system is starting up', '57P03'),
      '57P03',
    ],
    [
      'a connection exception',
      new DatabaseError('connection failure', '08006'),
      '08006',
    ],
    [
      'too many connections',
      new DatabaseError('sorry, too many clients already', '53300'),
      '53300',
    ],
    [
      'a cut connection, wrapped by knex',
      knexWrapped('Connection terminated unexpectedly'),
      'Connection terminated',
    ],
    [
      'an ended connection',
      new Error('Connection ended unexpectedly'),
      'Connection ended unexpectedly',
    ],
    [
      'a client that cannot query',
      new Error(
        'Client has encountered a connection error and is not queryable',
      ),
      'is not queryable',
    ],
    [
      'a full pool',
      new KnexTimeoutError(
        'Knex: Timeout acquiring a connection. The pool is probably full.',
      ),
      'KnexTimeoutError',
    ],
    [
      'a destroyed pool',
      new Error('Unable to acquire a connection'),
      'Unable to acquire a connection',
    ],
    [
      'several addresses refused',
      Object.assign(
        new AggregateError([
          withCode('connect ECONNREFUSED ::1:5432', 'ECONNREFUSED'),
        ]),
        {},
      ),
      'ECONNREFUSED',
    ],
  ])('recognises %s', (_what, error, reason) => {
    expect(databaseUnavailableReason(error)).toBe(reason);
  });

  it.each([
    [
      'a unique violation',
      new DatabaseError(
        'duplicate key value violates unique constraint',
        '23505',
      ),
    ],
    [
      'a syntax error',
      new DatabaseError('syntax error at or near "selec"', '42601'),
    ],
    ['an input error', new InputError('digest must look like sha256:…')],
    ['a conflict', new ConflictError('already revoked')],
    ['a plain error', new Error('boom')],
    ['a string', 'ECONNREFUSED'],
    ['nothing', undefined],
  ])('leaves %s alone', (_what, error) => {
    expect(isDatabaseUnavailable(error)).toBe(false);
  });

  it('does not take another service out of reach for the database', () => {
    // Node's fetch (the catalog client): the socket code only in the cause.
    const fetchFailed = new TypeError('fetch failed', {
      cause: withCode('connect ECONNREFUSED 10.0.0.9:7007', 'ECONNREFUSED'),
    });
    expect(isDatabaseUnavailable(fetchFailed)).toBe(false);
    // node-fetch (the Kubernetes client): the code on the error itself.
    const nodeFetch = Object.assign(
      new Error(
        'request to https://cluster/ failed, reason: connect ECONNREFUSED',
      ),
      { name: 'FetchError', code: 'ECONNREFUSED', type: 'system' },
    );
    expect(isDatabaseUnavailable(nodeFetch)).toBe(false);
    // A driver's own error about its cluster, caused by a refused socket.
    const driver = new Error(
      'Reading the Rollout failed: cluster could not be reached',
      {
        cause: withCode('connect ECONNREFUSED 10.0.0.9:6443', 'ECONNREFUSED'),
      },
    );
    expect(isDatabaseUnavailable(driver)).toBe(false);
  });
});

describe('unavailableErrorHandler behind Backstage error handling', () => {
  const app = (error: unknown) => {
    const logger = mockServices.logger.mock();
    const server = express();
    server.get('/x', () => {
      throw error;
    });
    server.use(unavailableErrorHandler(logger));
    server.use(
      MiddlewareFactory.create({
        config: mockServices.rootConfig(),
        logger: mockServices.logger.mock(),
      }).error(),
    );
    return { server, logger };
  };

  it('answers a cut connection with a 503 naming the database, without the statement or a stack', async () => {
    const { server, logger } = app(
      knexWrapped('Connection terminated unexpectedly'),
    );
    const res = await request(server).get('/x');
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    expect(res.body.error).toEqual({
      name: 'ServiceUnavailableError',
      message: 'The database is unavailable: try again shortly',
    });
    expect(res.text).not.toContain(SECRET);
    expect(res.text).not.toContain('insert into');
    expect(logger.warn).toHaveBeenCalledWith(
      'Database unavailable for GET /x (Connection terminated)',
    );
    expect(JSON.stringify(logger.warn.mock.calls)).not.toContain(SECRET);
  });

  it('answers a refused connection with a 503 that names neither host nor port', async () => {
    const res = await request(
      app(withCode('connect ECONNREFUSED 10.0.0.7:5432', 'ECONNREFUSED'))
        .server,
    ).get('/x');
    expect(res.status).toBe(503);
    expect(res.text).not.toContain('10.0.0.7');
  });

  it('passes every other error on unchanged', async () => {
    const res = await request(
      app(new ConflictError('already revoked')).server,
    ).get('/x');
    expect(res.status).toBe(409);
    expect(res.body.error.message).toBe('already revoked');
    expect(res.headers['retry-after']).toBeUndefined();
  });
});
