import {
  resolveSafeChildPath,
  UrlReaderService,
} from '@backstage/backend-plugin-api';
import {
  Entity,
  getEntitySourceLocation,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { InputError, NotFoundError } from '@backstage/errors';
import { ScmIntegrationRegistry } from '@backstage/integration';
import {
  MAX_RUNBOOK_BYTES,
  RUNBOOK_ANNOTATION,
  RUNBOOK_HISTORY_ANNOTATION,
} from '@helix-portal/plugin-rco-common';
import fs from 'node:fs/promises';
import path from 'node:path';

/** A runbook document as read from its source, before validation. */
export interface RunbookDocumentText {
  source: string;
  text: string;
}

/** Where an entity's runbook documents live: the current one and the earlier ones. */
export interface RunbookTargets {
  current: string;
  history: string[];
}

/** Reads the annotations of an entity; throws when it has no runbook. */
export function getRunbookTargets(entity: Entity): RunbookTargets {
  const annotations = entity.metadata.annotations ?? {};
  const current = annotations[RUNBOOK_ANNOTATION]?.trim();
  if (!current) {
    throw new NotFoundError(
      `${stringifyEntityRef(entity)} has no ${RUNBOOK_ANNOTATION} annotation`,
    );
  }
  const history = (annotations[RUNBOOK_HISTORY_ANNOTATION] ?? '')
    .split(',')
    .map(s => s.trim())
    .filter(Boolean);
  return { current, history };
}

/**
 * Reads runbook documents the way TechDocs reads `dir:` references: a relative target resolves
 * against the location the entity was registered from. Entities from `url` locations are read
 * through the UrlReader (and so through the configured SCM integrations); entities from `file`
 * locations are read from disk, and only inside the folder of their catalog file.
 */
export class RunbookReader {
  constructor(
    private readonly urlReader: UrlReaderService,
    private readonly integrations: ScmIntegrationRegistry,
  ) {}

  async read(entity: Entity, target: string): Promise<RunbookDocumentText> {
    if (/^https?:\/\//i.test(target)) {
      return this.readUrl(target);
    }
    const location = getEntitySourceLocation(entity);
    if (location.type === 'url') {
      const url = this.integrations.resolveUrl({
        url: target,
        base: location.target,
      });
      return this.readUrl(url);
    }
    if (location.type === 'file') {
      let file: string;
      try {
        file = resolveSafeChildPath(path.dirname(location.target), target);
      } catch {
        throw new InputError(
          `runbook path "${target}" leaves the folder of ${location.target}; only files beside the entity's catalog file can be read`,
        );
      }
      const stat = await fs.stat(file).catch(() => undefined);
      if (!stat?.isFile()) {
        throw new NotFoundError(`runbook file ${file} does not exist`);
      }
      if (stat.size > MAX_RUNBOOK_BYTES) {
        throw new InputError(
          `runbook file ${file} is larger than ${MAX_RUNBOOK_BYTES} bytes`,
        );
      }
      return { source: `file:${file}`, text: await fs.readFile(file, 'utf8') };
    }
    throw new InputError(
      `cannot read a runbook for an entity registered from a ${location.type} location`,
    );
  }

  private async readUrl(url: string): Promise<RunbookDocumentText> {
    const response = await this.urlReader.readUrl(url);
    const buffer = await response.buffer();
    if (buffer.length > MAX_RUNBOOK_BYTES) {
      throw new InputError(
        `runbook at ${url} is larger than ${MAX_RUNBOOK_BYTES} bytes`,
      );
    }
    return { source: url, text: buffer.toString('utf8') };
  }
}
