import { context, record } from '../../gates/__testUtils__/context';
import { policyEnforcement } from '../../gates/rules/policyEnforcement';
import { admits, gatekeeperMatch, narrowToPlace } from './placeScope';

/**
 * Kinds that do not live in the place's namespace (S1 M1/M2, and the second review's ways
 * around the first fix): what a place may own, and what of a cluster-wide object it keeps.
 */
const place = { namespace: 'rco' };
const velero = (kind: 'Backup' | 'Restore', spec: Record<string, unknown>) =>
  ({
    apiVersion: 'velero.io/v1',
    kind,
    metadata: { name: 'b', namespace: 'velero' },
    spec,
  } as any);
const backup = (spec: Record<string, unknown>) =>
  admits('velero-backup', velero('Backup', spec), place);
const restore = (spec: Record<string, unknown>) =>
  admits('velero-restore', velero('Restore', spec), place);

describe('admits: Velero', () => {
  it('counts a backup of the namespace, of every namespace, or of all but others', () => {
    expect(backup({ includedNamespaces: ['rco'] })).toBe(true);
    expect(backup({})).toBe(true);
    expect(
      backup({ includedNamespaces: ['*'], excludedNamespaces: ['x'] }),
    ).toBe(true);
  });

  it('refuses: a backup of another namespace, or one excluding it by name or by glob', () => {
    expect(backup({ includedNamespaces: ['tenant-x'] })).toBe(false);
    expect(backup({ excludedNamespaces: ['rco'] })).toBe(false);
    // Velero matches excludes as globs.
    expect(
      backup({ includedNamespaces: ['*'], excludedNamespaces: ['rc*'] }),
    ).toBe(false);
    // An include pattern other than * is not read: it never counts.
    expect(backup({ includedNamespaces: ['rc?'] })).toBe(false);
  });

  it('refuses: a backup of some objects only (labels, resource types) is no recovery point', () => {
    expect(backup({ labelSelector: { matchLabels: { app: 'tiny' } } })).toBe(
      false,
    );
    expect(backup({ orLabelSelectors: [{ matchLabels: { a: 'b' } }] })).toBe(
      false,
    );
    expect(
      backup({
        includedNamespaces: ['rco'],
        includedResources: ['configmaps'],
      }),
    ).toBe(false);
    expect(
      backup({ includedNamespaces: ['rco'], includedResources: ['*'] }),
    ).toBe(true);
    // Velero 1.11's scoped filters, and excludes that lose more than events.
    expect(backup({ includedNamespaceScopedResources: ['configmaps'] })).toBe(
      false,
    );
    expect(backup({ excludedNamespaceScopedResources: ['secrets'] })).toBe(
      false,
    );
    expect(backup({ excludedResources: ['persistentvolumeclaims'] })).toBe(
      false,
    );
    expect(backup({ excludedResources: ['events'] })).toBe(true);
  });

  it('refuses: a restore that does not name the namespace (everything of whoever’s backup)', () => {
    expect(restore({ backupName: 'tenant-x-daily' })).toBe(false);
    expect(restore({ backupName: 'b', includedNamespaces: ['*'] })).toBe(false);
    expect(restore({ backupName: 'b', includedNamespaces: ['rco'] })).toBe(
      true,
    );
    expect(
      restore({
        backupName: 'b',
        includedNamespaces: ['rco'],
        includedResources: ['secrets'],
      }),
    ).toBe(false);
  });

  it('admits every other kind on its labels alone', () => {
    expect(admits('workload', velero('Backup', {}), place)).toBe(true);
  });
});

const constraint = (violations: object[], total: number) =>
  ({
    apiVersion: 'constraints.gatekeeper.sh/v1beta1',
    kind: 'K8sRequiredLabels',
    metadata: { name: 'must-have-owner', labels: { app: 'rco' } },
    spec: { enforcementAction: 'deny' },
    status: {
      auditTimestamp: '2026-11-29T11:00:00Z',
      totalViolations: total,
      violations,
    },
  } as any);
const violation = (namespace: string | undefined, i: number, kind = 'Pod') => ({
  kind,
  name: `obj-${i}`,
  ...(namespace ? { namespace } : {}),
  message: 'missing owner',
});
const judge = (kind: 'policy-report' | 'gatekeeper-constraint', doc: object) =>
  policyEnforcement(context([record(kind, doc, { source: 'cluster' })]));

describe('narrowToPlace: cluster-wide constraints and reports', () => {
  it('keeps the place’s violations and its Namespace object’s, never another tenant’s names', () => {
    const doc = constraint(
      [
        violation('tenant-x', 1),
        violation('rco', 2),
        // A PersistentVolume the provisioner made for a tenant's claim: nobody's here.
        {
          kind: 'PersistentVolume',
          name: 'pvc-3f1c',
          message: 'claimRef tenant-x/customer-ledger-db',
        },
        { kind: 'Namespace', name: 'tenant-x', message: 'm' },
        { kind: 'Namespace', name: 'rco', message: 'm' },
      ],
      5,
    );
    const narrowed = narrowToPlace('gatekeeper-constraint', doc, 'rco') as any;
    expect(narrowed.status.violations.map((v: any) => v.name)).toEqual([
      'obj-2',
      'rco',
    ]);
    expect(narrowed.status.totalViolations).toBe(2);
    expect(JSON.stringify(narrowed)).not.toContain('tenant-x');
    // The listed object is shared by every place: never changed.
    expect(doc.status.violations).toHaveLength(5);
  });

  it('refuses: a tenant floods the listed violations and the place’s unlisted ones vanish (pass)', () => {
    // Gatekeeper lists 20 by default and counts all: 3 unlisted may be rco's. Undecided:
    // neither green, nor red on another tenant's violations.
    const flooded = constraint(
      Array.from({ length: 20 }, (_, i) => violation('tenant-x', i)),
      23,
    );
    const narrowed = narrowToPlace('gatekeeper-constraint', flooded, 'rco');
    const outcome = judge('gatekeeper-constraint', narrowed);
    expect(outcome.status).toBe('missing');
    expect(outcome.reasons.join('\n')).toContain(
      'its audit counted 3 violation(s) it did not list',
    );
    // Listing switched off (--constraint-violations-limit=0): all counted, none listed.
    const none = narrowToPlace(
      'gatekeeper-constraint',
      constraint([], 5),
      'rco',
    );
    expect(judge('gatekeeper-constraint', none).status).toBe('missing');
    // The place's own listed violation still fails it, whatever is unlisted.
    const own = constraint(
      [
        ...Array.from({ length: 19 }, (_, i) => violation('tenant-x', i)),
        violation('rco', 99),
      ],
      23,
    );
    const judged = judge(
      'gatekeeper-constraint',
      narrowToPlace('gatekeeper-constraint', own, 'rco'),
    );
    expect(judged.status).toBe('fail');
  });

  it('refuses: another tenant’s own violations turn the place red', () => {
    const theirs = constraint(
      Array.from({ length: 3 }, (_, i) => violation('tenant-x', i)),
      3,
    );
    const narrowed = narrowToPlace('gatekeeper-constraint', theirs, 'rco');
    expect(judge('gatekeeper-constraint', narrowed).status).toBe('pass');
  });

  it('refuses: a constraint that cannot apply to the namespace keeps every place missing', () => {
    const flooded = (match: object) => ({
      ...constraint(
        Array.from({ length: 20 }, (_, i) => violation('tenant-x', i)),
        25,
      ),
      spec: { enforcementAction: 'deny', match },
    });
    for (const match of [
      { namespaces: ['tenant-*'] },
      { excludedNamespaces: ['rc*'] },
    ]) {
      const narrowed = narrowToPlace(
        'gatekeeper-constraint',
        flooded(match),
        'rco',
      );
      expect(judge('gatekeeper-constraint', narrowed).status).toBe('pass');
    }
    // One that may apply (its match names rco, or only a namespaceSelector) stays undecided.
    for (const match of [
      { namespaces: ['rco'] },
      { namespaceSelector: { matchLabels: { team: 'a' } } },
    ]) {
      const narrowed = narrowToPlace(
        'gatekeeper-constraint',
        flooded(match),
        'rco',
      );
      expect(judge('gatekeeper-constraint', narrowed).status).toBe('missing');
    }
  });

  it('refuses: a policy report’s fails counted but not listed turn every place red, or vanish', () => {
    const report = {
      apiVersion: 'wgpolicyk8s.io/v1alpha2',
      kind: 'ClusterPolicyReport',
      metadata: { name: 'cpol-rco', labels: { app: 'rco' } },
      summary: { pass: 1, fail: 7, warn: 0, error: 0, skip: 0 },
      results: [
        {
          policy: 'require-owner',
          result: 'fail',
          resources: [{ kind: 'Pod', name: 'p', namespace: 'tenant-x' }],
        },
      ],
    };
    const narrowed = narrowToPlace(
      'policy-report',
      report as any,
      'rco',
    ) as any;
    expect(narrowed.results).toEqual([]);
    expect(narrowed.summary).toMatchObject({ pass: 0, fail: 0 });
    const outcome = judge('policy-report', narrowed);
    expect(outcome.status).toBe('missing');
    expect(outcome.reasons.join('\n')).toContain(
      'counted 6 fail/error result(s) it did not list',
    );
  });

  it('returns a namespaced object as it is', () => {
    const doc = { metadata: { name: 'r', namespace: 'rco' } } as any;
    expect(narrowToPlace('policy-report', doc, 'rco')).toBe(doc);
  });
});

describe('gatekeeperMatch', () => {
  it('reads Gatekeeper’s patterns as Gatekeeper does', () => {
    expect(gatekeeperMatch('rco', 'rco')).toBe(true);
    expect(gatekeeperMatch('rc*', 'rco')).toBe(true);
    expect(gatekeeperMatch('*co', 'rco')).toBe(true);
    expect(gatekeeperMatch('*c*', 'rco')).toBe(true);
    expect(gatekeeperMatch('kube-*', 'rco')).toBe(false);
  });

  it('refuses: a pattern outside Gatekeeper’s syntax rules the namespace out (Gatekeeper reads it literally)', () => {
    for (const p of [
      '!kube-system',
      '{rco,x}',
      'r?o',
      '[r]co',
      'r*o',
      '+(rco)',
    ])
      expect(gatekeeperMatch(p, 'rco')).toBeUndefined();
    const flooded = {
      ...constraint(
        Array.from({ length: 20 }, (_, i) => violation('tenant-x', i)),
        25,
      ),
      spec: { match: { excludedNamespaces: ['!kube-system'] } },
    };
    const narrowed = narrowToPlace('gatekeeper-constraint', flooded, 'rco');
    expect(judge('gatekeeper-constraint', narrowed).status).toBe('missing');
  });

  it('refuses: a namespaced report a tenant writes carries the collector’s narrowing words', () => {
    const doc = {
      metadata: {
        name: 'r',
        namespace: 'rco',
        annotations: {
          'rco.helix.dev/narrowed-to-namespace': 'rco',
          'rco.helix.dev/unlisted-violations': '9',
          other: 'kept',
        },
      },
    } as any;
    const kept = narrowToPlace('policy-report', doc, 'rco') as any;
    expect(kept.metadata.annotations).toEqual({ other: 'kept' });
    expect(doc.metadata.annotations.other).toBe('kept');
  });
});
