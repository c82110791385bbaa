import { Runbook } from '@helix-portal/plugin-rco-common';
import { canonicalJson, sha256, toDate } from '../lib/canonicalJson';
import { Knex } from 'knex';
import { Ledger } from './Ledger';
import { markEntitiesChanged } from './VerdictStore';
import { RunbookStateRow, RunbookVersionRow } from './tables';
import {
  RunbookReadError,
  RunbookState,
  RunbookStore,
  StoredRunbook,
  StoredRunbookVersion,
} from './RunbookStore';

/** Everything about a version but its (large) document. */
const VERSION_COLUMNS = [
  'entity_ref',
  'version',
  'content_hash',
  'title',
  'status',
  'document_date',
  'source',
  'first_seen_at',
  'last_seen_at',
] as const;

type VersionRow = Pick<RunbookVersionRow, (typeof VERSION_COLUMNS)[number]>;

// The refresh hands the same parsed object (RunbookService's parse memo) for every service that
// shares a document: its canonical form is hashed once.
const hashes = new WeakMap<Runbook, string>();

/** sha256 of a runbook's canonical JSON. */
export function hashRunbook(runbook: Runbook): string {
  let hash = hashes.get(runbook);
  if (!hash) {
    hash = sha256(canonicalJson(runbook));
    hashes.set(runbook, hash);
  }
  return hash;
}

function toVersion(row: VersionRow): StoredRunbookVersion {
  return {
    entityRef: row.entity_ref,
    version: row.version,
    hash: row.content_hash,
    title: row.title,
    status: row.status,
    date: row.document_date,
    source: row.source,
    firstSeenAt: toDate(row.first_seen_at),
    lastSeenAt: toDate(row.last_seen_at),
  };
}

/** {@link RunbookStore} on the plugin's own database (SQLite or PostgreSQL). */
export class DatabaseRunbookStore implements RunbookStore {
  /** The store on a migrated database (applyMigrations, called once from plugin.ts). */
  static create(options: {
    db: Knex;
    /** The ledger key (rco.ledger.checkpointKey): the entries this store writes carry its mac. */
    ledgerKey?: Buffer;
  }): DatabaseRunbookStore {
    return new DatabaseRunbookStore(
      options.db,
      new Ledger(options.db, options.ledgerKey),
    );
  }

  /** Parsed documents by content hash: immutable, shared by entities with the same runbook. */
  private readonly documents = new Map<string, Runbook>();

  private constructor(
    private readonly db: Knex,
    private readonly ledger: Ledger,
  ) {}

  private parsed(
    hash: string,
    json: () => Promise<string>,
  ): Promise<Runbook> | Runbook {
    const cached = this.documents.get(hash);
    if (cached) {
      // Refresh the entry's position so the map stays least-recently-used first.
      this.documents.delete(hash);
      this.documents.set(hash, cached);
      return cached;
    }
    return json().then(text => {
      const runbook = JSON.parse(text) as Runbook;
      this.documents.set(hash, runbook);
      if (this.documents.size > 100) {
        this.documents.delete(this.documents.keys().next().value!);
      }
      return runbook;
    });
  }

  async saveVersion(options: {
    entityRef: string;
    runbook: Runbook;
    source: string;
    seenAt: Date;
  }): Promise<string> {
    const { entityRef, runbook, source, seenAt } = options;
    const hash = hashRunbook(runbook);
    // The gates read the stored document (targets, for one): a version and its ledger entry
    // commit together, and the reconciler recomputes the content hash from the stored document
    // (ADR 0004). Seeing the same version again only moves last_seen_at, which is not recorded.
    await this.db.transaction(async tx => {
      await this.ledger.lock(tx, entityRef);
      const updated = await tx('rco_runbook_versions')
        .where({ entity_ref: entityRef, content_hash: hash })
        .update({ last_seen_at: seenAt, source });
      if (updated > 0) return;
      await tx('rco_runbook_versions').insert({
        entity_ref: entityRef,
        version: runbook.metadata.version,
        content_hash: hash,
        title: runbook.metadata.title,
        status: runbook.metadata.status,
        document_date: runbook.metadata.date,
        document: JSON.stringify(runbook),
        source,
        first_seen_at: seenAt,
        last_seen_at: seenAt,
      });
      await this.ledger.append(tx, {
        entryType: 'runbook-version',
        entityRef,
        actor: 'plugin:rco',
        payload: {
          version: runbook.metadata.version,
          contentHash: hash,
          title: runbook.metadata.title,
          status: runbook.metadata.status,
          date: runbook.metadata.date,
        },
      });
    });
    return hash;
  }

  async saveState(options: {
    entityRef: string;
    currentHash?: string;
    refreshedAt: Date;
    error?: RunbookReadError;
  }): Promise<boolean> {
    const { entityRef, currentHash, refreshedAt, error } = options;
    const row: Omit<RunbookStateRow, 'current_hash' | 'current_source'> & {
      current_hash?: string;
    } = {
      entity_ref: entityRef,
      refreshed_at: refreshedAt,
      last_error: error
        ? JSON.stringify({ source: error.source, problems: error.problems })
        : null,
      last_error_at: error ? error.at : null,
    };
    // A failed read keeps the last good version current.
    if (currentHash) {
      row.current_hash = currentHash;
    }
    return this.db.transaction(async tx => {
      const before = await tx('rco_runbook_state')
        .where({ entity_ref: entityRef })
        .first('current_hash', 'last_error');
      await tx('rco_runbook_state')
        .insert(row)
        .onConflict('entity_ref')
        .merge();
      // Going back to a version already stored writes no ledger entry: the entity's stored
      // verdict is marked changed in this transaction, so it is neither served nor kept.
      if (currentHash && before?.current_hash !== currentHash)
        await markEntitiesChanged(tx, [entityRef]);
      return (
        !before ||
        (!!currentHash && before.current_hash !== currentHash) ||
        (before.last_error ?? null) !== row.last_error
      );
    });
  }

  async getState(entityRef: string): Promise<RunbookState | undefined> {
    const row = await this.db('rco_runbook_state')
      .where({ entity_ref: entityRef })
      .first();
    if (!row) {
      return undefined;
    }
    let lastError: RunbookReadError | undefined;
    if (row.last_error) {
      const parsed = JSON.parse(row.last_error);
      lastError = {
        // Written with the error (saveState), so set whenever last_error is.
        at: toDate(row.last_error_at!),
        source: parsed.source,
        problems: parsed.problems,
      };
    }
    return {
      entityRef,
      currentHash: row.current_hash ?? undefined,
      refreshedAt: toDate(row.refreshed_at),
      lastError,
    };
  }

  async listVersions(entityRef: string): Promise<StoredRunbookVersion[]> {
    const rows = await this.db('rco_runbook_versions')
      .select(...VERSION_COLUMNS)
      .where({ entity_ref: entityRef })
      .orderBy([
        { column: 'document_date', order: 'desc' },
        { column: 'last_seen_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ]);
    return rows.map(toVersion);
  }

  async getVersion(
    entityRef: string,
    selector: { hash: string } | { version: string },
  ): Promise<StoredRunbook | undefined> {
    const query = this.db('rco_runbook_versions').where({
      entity_ref: entityRef,
    });
    if ('hash' in selector) {
      query.andWhere({ content_hash: selector.hash });
    } else {
      query.andWhere({ version: selector.version });
    }
    const row = await query
      .select(...VERSION_COLUMNS)
      .orderBy([
        { column: 'last_seen_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ])
      .first();
    if (!row) {
      return undefined;
    }
    const runbook = await this.parsed(row.content_hash, async () => {
      const doc = await this.db('rco_runbook_versions')
        .where({ entity_ref: entityRef, content_hash: row.content_hash })
        .first('document');
      // The version was just read, and versions are never deleted.
      return doc!.document;
    });
    return { ...toVersion(row), runbook };
  }
}
