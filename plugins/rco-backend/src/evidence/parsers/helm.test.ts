import { InputError } from '@backstage/errors';
import { HelmSummary } from '@helix-portal/plugin-rco-common';
import { readSample } from '../../__testUtils__/fixtures';
import { REDACTED } from './mask';
import { chartVersion, helmHistoryParser, helmStatusParser } from './helm';

type RawRevision = {
  revision: number;
  updated: string;
  status: string;
  chart: string;
  app_version: string;
  description: string;
};

const history = () =>
  JSON.parse(readSample('helm-v3-history.json')) as RawRevision[];
const status = () => JSON.parse(readSample('helm-v3-status.json'));

/** A history as printed through a camelCase re-serialisation, with a rollback. */
const camelHistory = () => [
  {
    revision: 1,
    updated: '2025-11-12T09:00:00Z',
    status: 'superseded',
    chart: 'shop-api-1.4.0',
    appVersion: '2.3.0',
    description: 'Install complete',
  },
  {
    revision: 2,
    updated: '2025-11-13T09:00:00Z',
    status: 'failed',
    chart: 'shop-api-1.5.0',
    appVersion: '2.4.0',
    description: 'Upgrade "shop-api" failed',
  },
  {
    revision: 3,
    updated: '2025-11-13T09:05:00Z',
    status: 'deployed',
    chart: 'shop-api-1.4.0',
    appVersion: '2.3.0',
    rollbackRevision: 1,
    description: 'Rollback to 1',
  },
];

/** A full status record: values and manifests included, as `helm status -o json` prints. */
const fullStatus = () => ({
  name: 'shop-api',
  namespace: 'shop',
  version: 7,
  info: {
    firstDeployed: '2025-01-02T10:00:00Z',
    lastDeployed: '2025-11-13T09:05:00Z',
    description: 'Upgrade complete',
    status: 'deployed',
    resources: {
      'v1/Secret': [
        {
          apiVersion: 'v1',
          kind: 'Secret',
          metadata: { name: 'db' },
          data: { password: 'aHVudGVyMg==' },
        },
      ],
    },
  },
  chart: {
    metadata: { name: 'shop-api', version: '1.5.0', appVersion: '2.4.0' },
  },
  config: { db: { password: 'hunter2' } },
  manifest:
    '---\napiVersion: v1\nkind: Secret\ndata:\n  password: aHVudGVyMg==\n',
  hooks: [{ name: 'migrate', manifest: 'kind: Job' }],
});

describe('helmHistoryParser', () => {
  it('reads the Helm 3 history golden', () => {
    const raw = history();
    expect(helmHistoryParser.detect(raw)).toBe(true);
    const { summary, subject, sanitized } = helmHistoryParser.parse(raw);
    expect(summary).toEqual({
      type: 'helm',
      source: 'history',
      revisions: raw.map(r => ({
        revision: r.revision,
        status: r.status,
        chart: r.chart,
        appVersion: r.app_version,
        updated: r.updated,
        description: r.description,
        rollbackRevision: undefined,
      })),
    });
    expect((summary as HelmSummary).revisions.map(r => r.revision)).toEqual([
      3, 4,
    ]);
    // The deployed revision's chart is foo-0.1.0-beta.1.
    expect(subject).toEqual({ version: '0.1.0-beta.1' });
    expect(sanitized).toEqual(history());
  });

  it('accepts camelCase keys and the rollback revision', () => {
    const { summary, subject } = helmHistoryParser.parse(camelHistory());
    const revisions = (summary as HelmSummary).revisions;
    expect(revisions.map(r => r.appVersion)).toEqual([
      '2.3.0',
      '2.4.0',
      '2.3.0',
    ]);
    expect(revisions[2]).toMatchObject({
      status: 'deployed',
      rollbackRevision: 1,
    });
    expect(subject).toEqual({ version: '1.4.0' });
  });

  it('does not claim empty lists or other arrays', () => {
    expect(helmHistoryParser.detect([])).toBe(false);
    expect(
      helmHistoryParser.detect([{ revision: 1, status: 'deployed' }]),
    ).toBe(false);
    expect(
      helmHistoryParser.detect([...history(), { critical: {}, optional: {} }]),
    ).toBe(false);
    expect(helmHistoryParser.detect(status())).toBe(false);
  });

  it('rejects malformed histories', () => {
    expect(() => helmHistoryParser.parse(status())).toThrow(InputError);
    expect(() => helmHistoryParser.parse(status())).toThrow(
      'Helm history is not a JSON array',
    );
    expect(() => helmHistoryParser.parse([])).toThrow('Helm history is empty');
    expect(() =>
      helmHistoryParser.parse([...history(), { revision: '5' }]),
    ).toThrow(
      'Helm history [2] needs a numeric revision, a status and a chart',
    );
  });

  it('splits chart name and version', () => {
    expect(chartVersion('foo-0.1.0-beta.1')).toBe('0.1.0-beta.1');
    expect(chartVersion('kube-prometheus-stack-58.2.1')).toBe('58.2.1');
    expect(chartVersion('k8s-2-app-v1.2.3')).toBe('v1.2.3');
    expect(chartVersion('no-version')).toBeUndefined();
  });
});

describe('helmStatusParser', () => {
  it('reads the Helm 3 status golden', () => {
    const raw = status();
    expect(helmStatusParser.detect(raw)).toBe(true);
    const { summary, subject, sanitized } = helmStatusParser.parse(raw);
    expect(summary).toEqual({
      type: 'helm',
      source: 'status',
      release: raw.name,
      namespace: raw.namespace,
      // Helm 3 prints "" for never-set times.
      firstDeployed: undefined,
      revisions: [
        {
          // Helm omits a zero version, as in this golden.
          revision: 0,
          status: 'deployed',
          chart: undefined,
          appVersion: undefined,
          updated: raw.info.last_deployed,
          description: undefined,
        },
      ],
    });
    expect(subject).toEqual({});
    expect(sanitized).toEqual(status());
  });

  it('reads camelCase info, the revision and a chart when present', () => {
    const { summary, subject } = helmStatusParser.parse(fullStatus());
    expect(summary).toMatchObject({
      release: 'shop-api',
      namespace: 'shop',
      firstDeployed: '2025-01-02T10:00:00Z',
      revisions: [
        {
          revision: 7,
          status: 'deployed',
          chart: 'shop-api-1.5.0',
          appVersion: '2.4.0',
          updated: '2025-11-13T09:05:00Z',
          description: 'Upgrade complete',
        },
      ],
    });
    expect(subject).toEqual({ version: '1.5.0' });
  });

  it('masks values, manifests and Secret data, never the caller object', () => {
    const doc = fullStatus();
    const sanitized = helmStatusParser.parse(doc).sanitized as ReturnType<
      typeof fullStatus
    >;
    expect(sanitized.config).toBe(REDACTED);
    expect(sanitized.manifest).toBe(REDACTED);
    expect(sanitized.hooks[0]).toEqual({ name: 'migrate', manifest: REDACTED });
    expect(sanitized.info.resources['v1/Secret'][0].data).toBe(REDACTED);
    expect(JSON.stringify(sanitized)).not.toContain('hunter2');
    expect(JSON.stringify(sanitized)).not.toContain('aHVudGVyMg==');
    expect(doc.config.db.password).toBe('hunter2');
    expect(sanitized.info.status).toBe('deployed');
  });

  it('does not claim Kubernetes objects or histories, and rejects a bad version', () => {
    expect(
      helmStatusParser.detect({
        apiVersion: 'v1',
        kind: 'X',
        name: 'a',
        info: { status: 'x' },
      }),
    ).toBe(false);
    expect(helmStatusParser.detect({ name: 'a', info: {} })).toBe(false);
    expect(helmStatusParser.detect(history())).toBe(false);
    expect(() =>
      helmStatusParser.parse({ ...fullStatus(), version: '7' }),
    ).toThrow('Helm status: version is not a revision number');
    expect(() => helmStatusParser.parse({ name: 'a' })).toThrow(
      'Helm status needs a name and info.status',
    );
  });
});
