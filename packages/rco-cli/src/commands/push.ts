import {
  detectEvidenceKind,
  EVIDENCE_KINDS,
  splitEvidenceDocuments,
} from '@helix-portal/plugin-rco-common';
import fs from 'node:fs';
import { call } from '../lib/call';
import { entityPath, RcoClient } from '../lib/client';
import { CliError } from '../lib/errors';
import { formatRecord } from '../lib/format';
import { EntityRef, formatEntityRef } from '../lib/options';

export interface PushOptions {
  digest?: string;
  version?: string;
  commit?: string;
  environment?: string;
  kind?: string;
  json?: boolean;
}

/**
 * Why the backend would refuse this file unread, or undefined when it would read it: the same
 * split into documents and the same recognition as the upload route (rco-common mirrors it).
 */
export function localRefusal(
  file: string,
  text: string,
  kind?: string,
): string | undefined {
  let documents: unknown[];
  try {
    documents = splitEvidenceDocuments(text);
  } catch (error) {
    return `${file} ${
      (error as Error).message
    }: nothing was uploaded. Send the tool's JSON, YAML or NDJSON output as it wrote it.`;
  }
  if (kind) return undefined;
  const unknown = documents.findIndex(doc => !detectEvidenceKind(doc));
  if (unknown < 0) return undefined;
  const which =
    documents.length > 1
      ? ` (document ${unknown + 1} of ${documents.length})`
      : '';
  return `${file}${which} is not a recognised evidence format, so nothing was uploaded. Accepted kinds: ${EVIDENCE_KINDS.join(
    ', ',
  )}. If it is one of them, say which with --kind.`;
}

/**
 * The largest file read whole to recognise its format (recognition parses every document, so
 * it needs the file in memory). The backend's own limit (rco.evidence.maxUploadBytes, 10 MiB by
 * default) is usually far lower; a larger file goes unread only when --kind names it.
 */
export const DETECT_LIMIT_BYTES = 64 * 1024 * 1024;

/**
 * Why `file` is refused before upload, or undefined to upload it. A file above `limit` is not
 * read: with --kind it is streamed for the backend to judge (413 when it is too large), without
 * it is refused. Throws the file system's error when the file cannot be read.
 */
export function checkFile(
  file: string,
  kind: string | undefined,
  limit: number,
): string | undefined {
  const { size } = fs.statSync(file);
  if (size > limit) {
    if (kind) return undefined;
    const mib = (n: number) =>
      n < 1024 * 1024
        ? `${n} bytes`
        : `${Math.round((n / 1024 / 1024) * 10) / 10} MiB`;
    return `${file} is ${mib(size)}, more than the ${mib(
      limit,
    )} the CLI reads to recognise a format, so nothing was uploaded. The backend accepts files up to rco.evidence.maxUploadBytes (10 MiB unless an admin raised it): split the output, or name its kind with --kind to upload it unread.`;
  }
  return localRefusal(file, fs.readFileSync(file, 'utf8'), kind);
}

/** `rco evidence push <file>…`: exit 0 when every file was recorded, 1 when any was refused. */
export async function runPush(
  client: RcoClient,
  url: string,
  entity: EntityRef,
  files: string[],
  options: PushOptions,
  out: (line: string) => void,
  err: (line: string) => void,
  detectLimitBytes = DETECT_LIMIT_BYTES,
): Promise<number> {
  if (
    options.kind &&
    !(EVIDENCE_KINDS as readonly string[]).includes(options.kind)
  ) {
    throw new CliError(
      `--kind "${
        options.kind
      }" is not an evidence kind. Accepted kinds: ${EVIDENCE_KINDS.join(
        ', ',
      )}.`,
    );
  }
  let refused = 0;
  const records: unknown[] = [];
  for (const file of files) {
    let refusal: string | undefined;
    try {
      refusal = checkFile(file, options.kind, detectLimitBytes);
    } catch (error) {
      err(
        `${file} cannot be read (${
          (error as NodeJS.ErrnoException).code ?? 'error'
        }): check the path; nothing was uploaded.`,
      );
      refused++;
      continue;
    }
    if (refusal) {
      err(refusal);
      refused++;
      continue;
    }
    try {
      const res = await call(
        {
          url,
          entity: formatEntityRef(entity),
          action: 'upload evidence for',
          file,
        },
        () =>
          client.upload(
            `${entityPath(entity)}/evidence`,
            {
              kind: options.kind,
              digest: options.digest,
              version: options.version,
              commit: options.commit,
              environment: options.environment,
            },
            file,
          ),
      );
      const items: unknown = res.body?.items;
      if (!Array.isArray(items) || items.length === 0) {
        // A 2xx without records is not the evidence route answering (a proxy, a wrong URL).
        err(
          `${file}: the backend answered ${res.status} but recorded nothing (no items in the answer): check --url points at the Backstage backend, and run the command again.`,
        );
        refused++;
        continue;
      }
      for (const item of items) {
        records.push({ file, ...item });
        if (!options.json) out(formatRecord(file, item));
      }
    } catch (error) {
      if (!(error instanceof CliError)) throw error;
      err(error.message);
      refused++;
    }
  }
  if (options.json) out(JSON.stringify({ items: records }, null, 2));
  if (refused > 0) {
    err(`${refused} of ${files.length} files were not recorded.`);
  }
  return refused > 0 ? 1 : 0;
}
