import { Entity } from '@backstage/catalog-model';
import {
  outcomeTitle,
  revisionWords,
  serviceTitle,
  versionOfRevision,
} from './wording';

const entity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'rco', title: 'RCO (Remote-Call Orchestrator)' },
};
const TITLE = 'RCO (Remote-Call Orchestrator)';

describe('operation wording', () => {
  it('names the service by its catalog title, else its name, never the ref', () => {
    expect(serviceTitle(entity, 'component:default/rco')).toBe(TITLE);
    expect(
      serviceTitle(
        { ...entity, metadata: { name: 'rcot' } },
        'component:default/rcot',
      ),
    ).toBe('rcot');
    expect(serviceTitle(undefined, 'component:default/rco')).toBe('rco');
  });

  it('says a deploy with the title and the version', () => {
    expect(
      outcomeTitle(
        {
          type: 'deploy',
          state: 'succeeded',
          environment: 'production',
          release: { version: '1.3.2', digest: 'sha256:ab' },
        },
        TITLE,
      ),
    ).toBe(
      'Deploy of RCO (Remote-Call Orchestrator) 1.3.2 to production succeeded',
    );
  });

  it('says a rollback with the revision it returns to and that revision’s version, not "rco 2"', () => {
    const title = outcomeTitle(
      {
        type: 'rollback',
        state: 'succeeded',
        environment: 'production',
        release: {},
        targetRevision: '4',
      },
      TITLE,
      '1.3.1',
    );
    expect(title).toBe(
      'Rollback of RCO (Remote-Call Orchestrator) in production to revision 4 (v1.3.1) succeeded',
    );
    expect(title).not.toMatch(/rco \d/);
    expect(revisionWords('4')).toBe('revision 4');
  });

  it('finds the version a revision runs from the deploys and rollbacks that made it', () => {
    const ops = [
      {
        environment: 'production',
        type: 'rollback' as const,
        state: 'succeeded' as const,
        release: {},
        targetRevision: '3',
        resultRevision: '5',
        createdAt: '2026-11-29T12:00:00Z',
      },
      {
        environment: 'production',
        type: 'deploy' as const,
        state: 'succeeded' as const,
        release: { version: '1.3.2' },
        resultRevision: '4',
        createdAt: '2026-11-29T11:00:00Z',
      },
      {
        environment: 'production',
        type: 'deploy' as const,
        state: 'succeeded' as const,
        release: { version: '1.3.1' },
        resultRevision: '3',
        createdAt: '2026-11-29T10:00:00Z',
      },
      {
        environment: 'staging',
        type: 'deploy' as const,
        state: 'succeeded' as const,
        release: { version: '9.9.9' },
        resultRevision: '3',
        createdAt: '2026-11-29T13:00:00Z',
      },
    ];
    expect(versionOfRevision(ops, 'production', '3')).toBe('1.3.1');
    expect(versionOfRevision(ops, 'production', '4')).toBe('1.3.2');
    expect(versionOfRevision(ops, 'production', '5')).toBe('1.3.1');
    expect(versionOfRevision(ops, 'production', '2')).toBeUndefined();
  });
});
