import { mockServices } from '@backstage/backend-test-utils';
import { MiddlewareFactory } from '@backstage/backend-defaults/rootHttpRouter';
import {
  ConflictError,
  InputError,
  NotFoundError,
  ServiceUnavailableError,
} from '@backstage/errors';
import express from 'express';
import knexFactory, { KnexTimeoutError } from 'knex';
import net, { AddressInfo } from 'node:net';
import request from 'supertest';
import {
  databaseUnavailableReason,
  isDatabaseUnavailable,
  markDatabaseClientError,
  unavailableErrorHandler,
  watchDatabaseErrors,
} from './unavailable';

// As knex words a failed query: the statement and its bindings in front of the driver's message.
const SECRET = 'AKIA-very-secret-upload';
const SQL = `insert into "rco_evidence" ("raw") values ('${SECRET}')`;

/**
 * node-postgres' DatabaseError as pg-protocol (dist/messages.js) declares it: `name` is the
 * message type, 'error'; the parser then sets `severity`, `code` and the other fields. (pg has no
 * type declarations here, so the class is restated rather than imported.)
 */
class DatabaseError extends Error {
  constructor(message: string, readonly length: number, name: string) {
    super(message);
    this.name = name;
  }
}

/** PostgreSQL's own error as node-postgres builds it. */
const serverError = (message: string, code: string, severity = 'FATAL') =>
  Object.assign(new DatabaseError(message, 0, 'error'), { code, severity });

const withCode = (message: string, code: string, extra = {}) =>
  Object.assign(new Error(message), { code, ...extra });

/** An error as the watched knex reports it (a query that failed, a connection not made). */
const fromKnex = <T>(error: T) => {
  markDatabaseClientError(error);
  return error;
};

const refused = (host: string, port: number) =>
  withCode(`connect ECONNREFUSED ${host}:${port}`, 'ECONNREFUSED', {
    errno: -111,
    syscall: 'connect',
    address: host,
    port,
  });

/** Every shape the database client throws when it cannot reach PostgreSQL, with its reason. */
const DATABASE_ERRORS: Array<[string, () => unknown, string]> = [
  [
    'admin shutdown (fast stop), behind the statement',
    () =>
      serverError(
        `${SQL} - terminating connection due to administrator command`,
        '57P01',
      ),
    '57P01',
  ],
  [
    'crash shutdown',
    () => serverError('terminating connection because of crash', '57P02'),
    '57P02',
  ],
  [
    'a server starting up',
    () => serverError('the database system is starting up', '57P03'),
    '57P03',
  ],
  [
    'a connection exception',
    () => serverError('connection failure', '08006'),
    '08006',
  ],
  [
    'too many connections',
    () => serverError('sorry, too many clients already', '53300'),
    '53300',
  ],
  [
    'a full pool',
    () => new KnexTimeoutError('Knex: Timeout acquiring a connection.'),
    'KnexTimeoutError',
  ],
  [
    'a destroyed pool',
    () => new Error('Unable to acquire a connection'),
    'Unable to acquire a connection',
  ],
  [
    'a cut connection, behind the statement',
    () => fromKnex(new Error(`${SQL} - Connection terminated unexpectedly`)),
    'Connection terminated unexpectedly',
  ],
  [
    'a client that cannot query',
    () =>
      fromKnex(
        new Error(
          'Client has encountered a connection error and is not queryable',
        ),
      ),
    'Client has encountered a connection error and is not queryable',
  ],
  [
    'a refused connection',
    () => fromKnex(refused('10.0.0.7', 5432)),
    'ECONNREFUSED',
  ],
  [
    'a reset connection, behind the statement',
    () => fromKnex(withCode(`${SQL} - read ECONNRESET`, 'ECONNRESET')),
    'ECONNRESET',
  ],
  [
    'several addresses refused',
    () =>
      fromKnex(
        new AggregateError([refused('::1', 5432), refused('10.0.0.7', 5432)]),
      ),
    'ECONNREFUSED',
  ],
];

describe('databaseUnavailableReason', () => {
  it.each(DATABASE_ERRORS)('recognises %s', (_what, error, reason) => {
    expect(databaseUnavailableReason(error())).toBe(reason);
  });

  it.each([
    ['a unique violation', serverError('duplicate key', '23505', 'ERROR')],
    ['a syntax error', serverError('syntax error', '42601', 'ERROR')],
    // The words of a cut connection in a route's own answer: a user can name an entity so.
    [
      'a NotFoundError naming "Connection terminated"',
      new NotFoundError('No entity component:default/Connection terminated'),
    ],
    [
      'a Backstage error the database client threw on',
      fromKnex(new InputError('Connection terminated unexpectedly')),
    ],
    ['a conflict', new ConflictError('already revoked')],
    ['a 503 of its own', new ServiceUnavailableError('shutting down')],
    // Not known to be the database's: anyone's plain Error may end so.
    [
      'the words of a cut connection from elsewhere',
      new Error(`No tool named x - Connection terminated unexpectedly`),
    ],
    // A Kubernetes or other HTTP client's socket error: the same code as the database's.
    ['a refused socket from elsewhere', refused('10.0.0.9', 6443)],
    [
      'a reset socket from elsewhere',
      withCode('read ECONNRESET', 'ECONNRESET'),
    ],
    ['a SQLSTATE-like code without a severity', withCode('x', '08006')],
    ['a plain error', new Error('boom')],
    ['a string', 'ECONNREFUSED'],
    ['nothing', undefined],
  ])('leaves %s alone', (_what, error) => {
    expect(isDatabaseUnavailable(error)).toBe(false);
  });

  it('does not follow a cause, nor take a fetch error for the database', () => {
    const fetchFailed = new TypeError('fetch failed', {
      cause: refused('10.0.0.9', 7007),
    });
    expect(isDatabaseUnavailable(fetchFailed)).toBe(false);
    const nodeFetch = Object.assign(
      new Error('request to https://cluster/ failed, reason: ECONNREFUSED'),
      { name: 'FetchError', code: 'ECONNREFUSED', type: 'system' },
    );
    expect(isDatabaseUnavailable(nodeFetch)).toBe(false);
  });
});

describe('watchDatabaseErrors, with a real knex', () => {
  const knexAt = (port: number) =>
    knexFactory({
      client: 'pg',
      connection: { host: '127.0.0.1', port, user: 'u', database: 'd' },
      pool: { min: 0, max: 1 },
      acquireConnectionTimeout: 5_000,
      log: { warn() {}, error() {}, debug() {}, deprecate() {} },
    });
  const failure = (db: ReturnType<typeof knexAt>) =>
    db('rco_evidence')
      .where({ raw: SECRET })
      .select()
      .then(
        () => undefined,
        (error: unknown) => error,
      );

  it('knows a refused connection as the database’s only when its knex is watched', async () => {
    const server = net.createServer().listen(0, '127.0.0.1');
    await new Promise(r => server.once('listening', r));
    const { port } = server.address() as AddressInfo;
    await new Promise(r => server.close(r)); // nothing listens there now
    const watched = knexAt(port);
    const other = knexAt(port);
    watchDatabaseErrors(watched);
    try {
      expect(databaseUnavailableReason(await failure(watched))).toBe(
        'ECONNREFUSED',
      );
      expect(databaseUnavailableReason(await failure(other))).toBeUndefined();
    } finally {
      await Promise.all([watched.destroy(), other.destroy()]);
    }
  });

  it('knows a connection the server cut', async () => {
    const server = net.createServer(socket => socket.destroy());
    server.listen(0, '127.0.0.1');
    await new Promise(r => server.once('listening', r));
    const db = knexAt((server.address() as AddressInfo).port);
    watchDatabaseErrors(db);
    try {
      expect(databaseUnavailableReason(await failure(db))).toBe(
        'Connection terminated unexpectedly',
      );
    } finally {
      await db.destroy();
      server.close();
    }
  });
});

describe('unavailableErrorHandler behind Backstage error handling', () => {
  const app = (error: () => unknown) => {
    const logger = mockServices.logger.mock();
    const server = express();
    server.get('/x', () => {
      throw error();
    });
    server.get('/entities/:kind/:namespace/:name/status', req => {
      throw new NotFoundError(
        `No entity ${req.params.kind}:${req.params.namespace}/${req.params.name}`,
      );
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

  it.each(DATABASE_ERRORS)(
    'answers %s with a 503 naming the database, without statement, values, host or stack',
    async (_what, error, reason) => {
      const { server, logger } = app(error);
      const res = await request(server).get('/x');
      expect(res.status).toBe(503);
      expect(res.headers['retry-after']).toBe('5');
      expect(res.body.error).toEqual({
        name: 'ServiceUnavailableError',
        message: 'The database is unavailable: try again shortly',
      });
      for (const leak of [SECRET, 'insert into', '10.0.0.7'])
        expect(res.text).not.toContain(leak);
      expect(logger.warn).toHaveBeenCalledWith(
        `Database unavailable for GET /x (${reason})`,
      );
      const logged = JSON.stringify(logger.warn.mock.calls);
      for (const leak of [SECRET, 'insert into', '10.0.0.7'])
        expect(logged).not.toContain(leak);
    },
  );

  it('answers a missing entity named "Connection terminated" with its 404, not a database alert', async () => {
    const { server, logger } = app(() => undefined);
    const res = await request(server).get(
      '/entities/component/default/Connection%20terminated/status',
    );
    expect(res.status).toBe(404);
    expect(res.headers['retry-after']).toBeUndefined();
    expect(logger.warn).not.toHaveBeenCalled();
  });

  it('answers a refused socket of another service with a 500: it cannot be told for the database’s', async () => {
    const { server, logger } = app(() => refused('10.0.0.9', 6443));
    const res = await request(server).get('/x');
    expect(res.status).toBe(500);
    expect(res.headers['retry-after']).toBeUndefined();
    expect(logger.warn).not.toHaveBeenCalled();
  });

  it('passes every other error on unchanged', async () => {
    const res = await request(
      app(() => new ConflictError('already revoked')).server,
    ).get('/x');
    expect(res.status).toBe(409);
    expect(res.body.error.message).toBe('already revoked');
    expect(res.headers['retry-after']).toBeUndefined();
  });
});
