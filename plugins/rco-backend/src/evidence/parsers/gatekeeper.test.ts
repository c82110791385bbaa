import { InputError } from '@backstage/errors';
import { GatekeeperConstraintSummary } from '@helix-portal/plugin-rco-common';
import { parse } from 'yaml';
import { readSample } from '../../__testUtils__/fixtures';
import { gatekeeperParser } from './gatekeeper';

type Raw = {
  kind: string;
  metadata: { name: string };
  status: {
    auditTimestamp: string;
    violations: Array<{ kind: string; name: string; message: string }>;
  };
};

const sample = () =>
  parse(readSample('gatekeeper-constraint-with-violations.yaml')) as Raw;
const summaryOf = (doc: unknown) =>
  gatekeeperParser.parse(doc).summary as GatekeeperConstraintSummary;

/** A constraint after an audit that found more violations than it lists (Gatekeeper v1). */
const capped = () => ({
  apiVersion: 'constraints.gatekeeper.sh/v1',
  kind: 'K8sPSPPrivilegedContainer',
  metadata: {
    name: 'psp-privileged-container',
    managedFields: [{ manager: 'gatekeeper', operation: 'Update' }],
  },
  spec: { enforcementAction: 'dryrun' },
  status: {
    auditTimestamp: '2024-03-01T10:00:00Z',
    totalViolations: 57,
    violations: [
      {
        enforcementAction: 'dryrun',
        kind: 'Pod',
        name: 'debug',
        namespace: 'dev',
        message: 'Privileged container is not allowed: shell',
      },
    ],
  },
});

describe('gatekeeperParser', () => {
  it('reads the audit example from the Gatekeeper docs', () => {
    const raw = sample();
    expect(gatekeeperParser.detect(raw)).toBe(true);
    const summary = summaryOf(raw);
    expect(summary.constraintKind).toBe('K8sRequiredLabels');
    expect(summary.name).toBe(raw.metadata.name);
    // The example has no totalViolations: the listed violations are all there are.
    expect(summary.totalViolations).toBe(raw.status.violations.length);
    expect(summary.totalViolations).toBe(4);
    expect(summary.violations.map(v => v.name)).toEqual(
      raw.status.violations.map(v => v.name),
    );
    expect(summary.violations[0]).toEqual({
      kind: 'Namespace',
      name: 'default',
      namespace: undefined,
      message: raw.status.violations[0].message,
    });
    expect(summary.auditTimestamp).toBe('2019-05-11T01:46:13Z');
    // Gatekeeper's default when spec.enforcementAction is unset.
    expect(summary.enforcementAction).toBe('deny');
    expect(gatekeeperParser.parse(raw).sanitized).toEqual(sample());
  });

  it('prefers totalViolations over the (capped) list and strips managedFields', () => {
    const doc = capped();
    const { summary, sanitized } = gatekeeperParser.parse(doc);
    expect(summary).toMatchObject({
      totalViolations: 57,
      enforcementAction: 'dryrun',
      violations: [{ kind: 'Pod', name: 'debug', namespace: 'dev' }],
    });
    expect(sanitized).toEqual({
      ...doc,
      metadata: { name: 'psp-privileged-container' },
    });
    // The caller's document is untouched.
    expect(doc.metadata.managedFields).toHaveLength(1);
  });

  it('detects any constraint kind in the constraints group only', () => {
    for (const v of ['v1alpha1', 'v1beta1', 'v1']) {
      expect(
        gatekeeperParser.detect({
          ...capped(),
          apiVersion: `constraints.gatekeeper.sh/${v}`,
        }),
      ).toBe(true);
    }
    expect(
      gatekeeperParser.detect({
        ...capped(),
        apiVersion: 'templates.gatekeeper.sh/v1',
        kind: 'ConstraintTemplate',
      }),
    ).toBe(false);
    expect(
      gatekeeperParser.detect({
        ...capped(),
        apiVersion: 'constraints.gatekeeper.sh/v2',
      }),
    ).toBe(false);
    expect(gatekeeperParser.detect({ ...capped(), kind: undefined })).toBe(
      false,
    );
  });

  it('rejects constraints the audit has not reported on, or with broken violations', () => {
    const { status, ...noStatus } = capped();
    expect(status).toBeDefined();
    expect(() => gatekeeperParser.parse(noStatus)).toThrow(InputError);
    expect(() => gatekeeperParser.parse(noStatus)).toThrow(
      'Gatekeeper constraint has no status (has the audit run?)',
    );
    const notList = capped();
    (notList.status as { violations: unknown }).violations = 'many';
    expect(() => gatekeeperParser.parse(notList)).toThrow(
      'status.violations is not a list',
    );
    const badTotal = capped();
    (badTotal.status as { totalViolations: unknown }).totalViolations = '57';
    expect(() => gatekeeperParser.parse(badTotal)).toThrow(
      'totalViolations is not a number',
    );
  });
});
