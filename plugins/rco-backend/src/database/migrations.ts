import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import { Knex } from 'knex';

/** The plugin's knex migrations (the `migrations` folder it publishes). */
export const MIGRATIONS_DIR = resolvePackagePath(
  '@helix-portal/plugin-rco-backend',
  'migrations',
);

/**
 * Brings the plugin's schema up to date, once, at start (plugin.ts), unless the portal runs its
 * migrations itself (backend.database.plugin.rco.skipMigrations / DatabaseService.migrations.skip).
 * No store migrates as a side effect of being built. Returns the client the stores share.
 */
export async function applyMigrations(
  database: DatabaseService,
): Promise<Knex> {
  const client = await database.getClient();
  if (!database.migrations?.skip) await migrateToLatest(client);
  return client;
}

/** The migrations on a bare knex (tests). Concurrent replicas queue on knex's migration lock. */
export async function migrateToLatest(knex: Knex) {
  await knex.migrate.latest({ directory: MIGRATIONS_DIR });
}
