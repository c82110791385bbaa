import { assertUploadable } from './collectedOnly';
import { NARROWED_NAMESPACE, UNLISTED_VIOLATIONS } from './parsers/narrowing';

describe('assertUploadable', () => {
  const constraint = (annotations: Record<string, string>) => ({
    apiVersion: 'constraints.gatekeeper.sh/v1beta1',
    kind: 'K8sRequiredLabels',
    metadata: { name: 'must-have-owner', annotations },
  });

  it('refuses: an upload carrying the annotations only the collector writes', () => {
    for (const key of [NARROWED_NAMESPACE, UNLISTED_VIOLATIONS])
      expect(() =>
        assertUploadable(
          'gatekeeper-constraint',
          'ci',
          'The document',
          constraint({ [key]: 'payments' }),
        ),
      ).toThrow(
        `The document carries ${key}, which only the console's Kubernetes collector writes`,
      );
  });

  it('lets the collector write them, and uploads without them through', () => {
    const narrowed = constraint({ [NARROWED_NAMESPACE]: 'rco' });
    expect(() =>
      assertUploadable('gatekeeper-constraint', 'cluster', 'x', narrowed),
    ).not.toThrow();
    expect(() =>
      assertUploadable('gatekeeper-constraint', 'ci', 'x', constraint({})),
    ).not.toThrow();
  });

  it('refuses an alerting state from anyone but the monitoring collector', () => {
    expect(() =>
      assertUploadable('alerting-state', 'ci', 'The upload'),
    ).toThrow('cannot be uploaded');
  });
});
