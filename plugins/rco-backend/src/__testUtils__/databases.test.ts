import { KnexTimeoutError } from 'knex';
import { retryAdminTimeouts } from './databases';

/** The test harness's own rule: a PostgreSQL admin connection that timed out is tried again. */
describe('retryAdminTimeouts', () => {
  const knex = { marker: 'db' } as any;
  const failing = (...errors: Error[]) => {
    const calls: string[] = [];
    const databases = {
      init: async (id: string) => {
        calls.push(id);
        const error = errors.shift();
        if (error) throw error;
        return knex;
      },
    };
    return { databases: databases as any, calls };
  };
  const timeout = () =>
    new KnexTimeoutError(
      'Knex: Timeout acquiring a connection. The pool is probably full.',
    );

  it('tries again after a connection timeout and returns the database', async () => {
    const { databases, calls } = failing(timeout(), timeout());
    retryAdminTimeouts(databases);
    await expect(databases.init('POSTGRES_17')).resolves.toBe(knex);
    expect(calls).toEqual(['POSTGRES_17', 'POSTGRES_17', 'POSTGRES_17']);
  });

  it('gives up after the third timeout with that error', async () => {
    const { databases, calls } = failing(timeout(), timeout(), timeout());
    retryAdminTimeouts(databases);
    await expect(databases.init('POSTGRES_17')).rejects.toThrow(
      /Timeout acquiring a connection/,
    );
    expect(calls).toHaveLength(3);
  });

  it('does not repeat any other failure', async () => {
    const { databases, calls } = failing(new Error('permission denied'));
    retryAdminTimeouts(databases);
    await expect(databases.init('POSTGRES_17')).rejects.toThrow(
      'permission denied',
    );
    expect(calls).toHaveLength(1);
  });
});
