import { LoggerService } from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError, NotFoundError } from '@backstage/errors';
import {
  parseRunbook,
  RunbookParseResult,
  RunbookProblem,
} from '@helix-portal/plugin-rco-common';
import { sha256 } from '../lib/canonicalJson';
import {
  RunbookReadError,
  RunbookStore,
  StoredRunbook,
  StoredRunbookVersion,
} from '../database/RunbookStore';
import { diffRunbooks, RunbookSectionsDiff } from './diff';
import { getRunbookTargets, RunbookReader } from './RunbookReader';

/** A stored version as the API shows it. */
export interface RunbookVersionView extends StoredRunbookVersion {
  current: boolean;
}

/** The outcome of reading an entity's runbook documents. */
export interface RefreshOutcome {
  entityRef: string;
  status: 'ok' | 'invalid';
  versions: number;
  current?: string;
  lastError?: RunbookReadError;
  /** Whether this refresh changed the stored runbook state (see RunbookStore.saveState). */
  changed: boolean;
}

function problemsOf(error: unknown): RunbookProblem[] {
  return [{ path: '(document)', message: (error as Error).message }];
}

/** How many distinct documents the parse memo keeps (a portal shares a few runbooks widely). */
const PARSED_DOCUMENTS = 256;

/**
 * Reads, validates and keeps the runbooks of governed entities, and answers questions about
 * their versions. A broken document never replaces the last good version.
 */
export class RunbookService {
  constructor(
    private readonly store: RunbookStore,
    private readonly reader: RunbookReader,
    private readonly logger: LoggerService,
  ) {}

  // Many services share one runbook document (a platform's template, or the same URL): the
  // scheduled refresh parsed it once per service, 22 s a run at 1,000 services. Parsing is a
  // pure function of the text, so the result is kept by the text's digest. The parsed object
  // only goes to saveVersion, which serialises it: nothing entity-specific is attached to it.
  private readonly parsed = new Map<string, RunbookParseResult>();

  private parse(text: string): RunbookParseResult {
    const key = sha256(text);
    const known = this.parsed.get(key);
    if (known) {
      // Most recently used last, so the oldest is the one dropped.
      this.parsed.delete(key);
      this.parsed.set(key, known);
      return known;
    }
    const result = parseRunbook(text);
    this.parsed.set(key, result);
    if (this.parsed.size > PARSED_DOCUMENTS)
      this.parsed.delete(this.parsed.keys().next().value!);
    return result;
  }

  async refresh(entity: Entity): Promise<RefreshOutcome> {
    const entityRef = stringifyEntityRef(entity);
    const targets = getRunbookTargets(entity);
    const now = new Date();

    // Earlier versions first, so the current one is the most recently seen.
    for (const target of targets.history) {
      try {
        const doc = await this.reader.read(entity, target);
        const parsed = this.parse(doc.text);
        if (parsed.ok) {
          await this.store.saveVersion({
            entityRef,
            runbook: parsed.runbook,
            source: doc.source,
            seenAt: now,
          });
        } else {
          this.logger.warn(
            `Earlier runbook ${target} of ${entityRef} is invalid: ${parsed.problems
              .map(p => `${p.path}: ${p.message}`)
              .join('; ')}`,
          );
        }
      } catch (e) {
        this.logger.warn(
          `Could not read earlier runbook ${target} of ${entityRef}: ${e}`,
        );
      }
    }

    let error: RunbookReadError | undefined;
    let currentHash: string | undefined;
    let source = targets.current;
    try {
      const doc = await this.reader.read(entity, targets.current);
      source = doc.source;
      const parsed = this.parse(doc.text);
      if (parsed.ok) {
        currentHash = await this.store.saveVersion({
          entityRef,
          runbook: parsed.runbook,
          source: doc.source,
          seenAt: now,
        });
      } else {
        error = { at: now, source, problems: parsed.problems };
      }
    } catch (e) {
      error = { at: now, source, problems: problemsOf(e) };
    }
    if (error) {
      this.logger.warn(
        `Runbook of ${entityRef} at ${
          error.source
        } is invalid; the last good version keeps serving: ${error.problems
          .map(p => `${p.path}: ${p.message}`)
          .join('; ')}`,
      );
    }
    const changed = await this.store.saveState({
      entityRef,
      currentHash,
      refreshedAt: now,
      error,
    });
    const state = await this.store.getState(entityRef);
    const versions = await this.store.listVersions(entityRef);
    const current = versions.find(v => v.hash === state?.currentHash);
    return {
      entityRef,
      status: error ? 'invalid' : 'ok',
      versions: versions.length,
      current: current?.version,
      lastError: error,
      changed,
    };
  }

  /** The current runbook: the last good version, with the newest error beside it if any. */
  async getCurrent(entity: Entity): Promise<
    RunbookVersionView & {
      runbook: StoredRunbook['runbook'];
      lastError?: RunbookReadError;
    }
  > {
    const entityRef = stringifyEntityRef(entity);
    let state = await this.store.getState(entityRef);
    if (!state) {
      await this.refresh(entity);
      state = await this.store.getState(entityRef);
    }
    if (!state?.currentHash) {
      const problems = state?.lastError?.problems ?? [];
      throw new InputError(
        `The runbook of ${entityRef} has no valid version yet. ${
          state?.lastError?.source ?? ''
        }: ${problems.map(p => `${p.path}: ${p.message}`).join('; ')}`,
      );
    }
    const stored = await this.store.getVersion(entityRef, {
      hash: state.currentHash,
    });
    if (!stored) {
      throw new NotFoundError(`No runbook stored for ${entityRef}`);
    }
    return { ...stored, current: true, lastError: state.lastError };
  }

  async listVersions(entity: Entity): Promise<RunbookVersionView[]> {
    const entityRef = stringifyEntityRef(entity);
    let state = await this.store.getState(entityRef);
    if (!state) {
      await this.refresh(entity);
      state = await this.store.getState(entityRef);
    }
    const versions = await this.store.listVersions(entityRef);
    return versions.map(v => ({
      ...v,
      current: v.hash === state?.currentHash,
    }));
  }

  async getVersion(
    entity: Entity,
    version: string,
  ): Promise<RunbookVersionView & { runbook: StoredRunbook['runbook'] }> {
    const entityRef = stringifyEntityRef(entity);
    const stored = await this.findVersion(entityRef, version);
    const state = await this.store.getState(entityRef);
    return { ...stored, current: stored.hash === state?.currentHash };
  }

  async diff(
    entity: Entity,
    from: string,
    to: string,
  ): Promise<RunbookSectionsDiff & { from: string; to: string }> {
    const entityRef = stringifyEntityRef(entity);
    const [a, b] = await Promise.all([
      this.findVersion(entityRef, from),
      this.findVersion(entityRef, to),
    ]);
    return {
      from: a.version,
      to: b.version,
      ...diffRunbooks(a.runbook, b.runbook),
    };
  }

  /** Accepts `1.3` for `1.3.0` and a content hash (or its first 8+ characters). */
  private async findVersion(
    entityRef: string,
    version: string,
  ): Promise<StoredRunbook> {
    const candidates = [version];
    if (/^\d+\.\d+$/.test(version)) {
      candidates.push(`${version}.0`);
    }
    for (const candidate of candidates) {
      const found = await this.store.getVersion(entityRef, {
        version: candidate,
      });
      if (found) {
        return found;
      }
    }
    if (/^[0-9a-f]{8,64}$/.test(version)) {
      const match = (await this.store.listVersions(entityRef)).find(v =>
        v.hash.startsWith(version),
      );
      if (match) {
        return (await this.store.getVersion(entityRef, { hash: match.hash }))!;
      }
    }
    throw new NotFoundError(`${entityRef} has no runbook version "${version}"`);
  }
}
