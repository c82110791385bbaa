import { DriverRevision } from '@helix-portal/plugin-rco-node';
import { z } from 'zod';

/**
 * Readers for `helm history -o json` and `helm status -o json`. Helm 3 and Helm 4 print the same
 * fields for what the driver needs, but not always in the same shape (revision as a number or a
 * string, the chart as `name-version` or as an object with metadata, `app_version` or
 * `appVersion`), and newer versions add fields: the schemas accept all of that and ignore extras.
 */

const revisionNumber = z.union([
  z.number().int().nonnegative(),
  z
    .string()
    .regex(/^\d+$/)
    .transform(s => Number(s)),
]);

const chartMetadata = z
  .object({
    name: z.string().optional(),
    version: z.string().optional(),
    appVersion: z.string().optional(),
  })
  .passthrough();

/** `foo-0.1.0` (Helm 3 history) or `{ metadata: { name, version, appVersion } }` (release JSON). */
const chartField = z.union([
  z.string(),
  z.object({ metadata: chartMetadata.optional() }).passthrough(),
]);

const historyEntrySchema = z
  .object({
    revision: revisionNumber,
    updated: z.unknown().optional(),
    status: z.string().min(1),
    chart: chartField.optional(),
    app_version: z.string().optional(),
    appVersion: z.string().optional(),
    description: z.string().optional(),
  })
  .passthrough();

const historySchema = z.array(historyEntrySchema);

const statusSchema = z
  .object({
    name: z.string(),
    namespace: z.string().optional(),
    /** The revision; absent from some trimmed outputs, so callers fall back to history. */
    version: revisionNumber.optional(),
    info: z
      .object({
        status: z.string(),
        last_deployed: z.unknown().optional(),
        description: z.string().optional(),
      })
      .passthrough(),
    chart: chartField.optional(),
  })
  .passthrough();

/** One parsed history entry, with the revision as a number for comparisons. */
export interface HelmHistoryEntry {
  revision: number;
  status: string;
  updatedAt?: string;
  description?: string;
  chart?: string;
  appVersion?: string;
}

/** What the driver reads from `helm status -o json`. */
export interface HelmStatus {
  name: string;
  namespace?: string;
  revision?: number;
  status: string;
  description?: string;
}

function parseJson(stdout: string, what: string): unknown {
  try {
    return JSON.parse(stdout);
  } catch {
    throw new Error(`${what} did not print JSON`);
  }
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map(i => `${i.path.join('.') || '(root)'}: ${i.message}`)
    .join('; ');
}

function chartName(chart: z.infer<typeof chartField> | undefined) {
  if (chart === undefined || typeof chart === 'string') return chart;
  const meta = chart.metadata;
  if (!meta?.name) return undefined;
  return meta.version ? `${meta.name}-${meta.version}` : meta.name;
}

function timeText(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * Parses `helm history -o json` into entries, newest first (helm prints oldest first).
 *
 * @throws Error when the output is not JSON or not a list of revisions.
 */
export function parseHistory(stdout: string): HelmHistoryEntry[] {
  const result = historySchema.safeParse(
    parseJson(stdout, 'helm history -o json'),
  );
  if (!result.success) {
    throw new Error(
      `helm history -o json printed an unexpected shape: ${describeIssues(
        result.error,
      )}`,
    );
  }
  return result.data
    .map(e => ({
      revision: e.revision,
      status: e.status,
      updatedAt: timeText(e.updated),
      description: e.description,
      chart: chartName(e.chart),
      appVersion:
        e.app_version ??
        e.appVersion ??
        (typeof e.chart === 'object'
          ? e.chart.metadata?.appVersion
          : undefined),
    }))
    .sort((a, b) => b.revision - a.revision);
}

/**
 * Parses `helm status -o json`.
 *
 * @throws Error when the output is not JSON or has no name and status.
 */
export function parseStatus(stdout: string): HelmStatus {
  const result = statusSchema.safeParse(
    parseJson(stdout, 'helm status -o json'),
  );
  if (!result.success) {
    throw new Error(
      `helm status -o json printed an unexpected shape: ${describeIssues(
        result.error,
      )}`,
    );
  }
  const s = result.data;
  return {
    name: s.name,
    namespace: s.namespace,
    revision: s.version,
    status: s.info.status,
    description: s.info.description,
  };
}

/**
 * Entries (newest first) as the driver contract's revisions. Only one revision is `current`: the
 * newest `deployed` one (Helm keeps a single deployed revision; this holds even if it did not).
 */
export function toDriverRevisions(
  entries: HelmHistoryEntry[],
): DriverRevision[] {
  const current = entries.find(e => e.status === 'deployed')?.revision;
  return entries.map(e => {
    const revision: DriverRevision = {
      revision: String(e.revision),
      status: e.status,
      current: e.revision === current,
    };
    if (e.updatedAt !== undefined) revision.updatedAt = e.updatedAt;
    if (e.description !== undefined) revision.description = e.description;
    if (e.chart !== undefined) revision.chart = e.chart;
    if (e.appVersion !== undefined) revision.appVersion = e.appVersion;
    return revision;
  });
}
