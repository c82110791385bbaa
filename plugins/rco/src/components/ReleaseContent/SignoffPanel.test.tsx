import { alertApiRef } from '@backstage/frontend-plugin-api';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { FourEyesView } from '@helix-portal/plugin-rco-common';
import { screen, within } from '@testing-library/react';
import { RcoApi } from '../../api/RcoApi';
import { SignoffPanel } from './SignoffPanel';

const missing = (group: string, people: Array<[string, string]>) => ({
  status: 'missing' as const,
  reason: 'No approval yet',
  decisions: [],
  next: [
    {
      action: 'signoff' as const,
      text: `Members of ${group} can sign`,
      people: people.map(([ref, name]) => ({ ref, name })),
      group,
    },
  ],
});

describe('SignoffPanel', () => {
  it('names who can sign each role the release still needs, by display name (issue 12, point 1)', async () => {
    const fourEyes: FourEyesView = {
      requester: 'user:default/guest',
      roles: {
        po: missing('group:default/product-owners', [
          ['user:default/priya.raman', 'Priya Raman'],
        ]),
        dpo: {
          status: 'approved',
          decisions: [
            {
              id: 's1',
              signer: 'user:default/lena.vogel',
              decision: 'approved',
              createdAt: new Date().toISOString(),
            },
          ],
          next: [],
        },
        security: missing('group:default/security', [
          ['user:default/samir.haddad', 'Samir Haddad'],
          ['user:default/mei.tanaka', 'Mei Tanaka'],
        ]),
      },
    };
    await renderInTestApp(
      <TestApiProvider apis={[[alertApiRef, { post: jest.fn() } as any]]}>
        <SignoffPanel
          api={{} as RcoApi}
          entityRef={{ kind: 'component', namespace: 'default', name: 'rco' }}
          release={{
            version: '1.3.2',
            digest: `sha256:${'3f'.repeat(32)}`,
            requestedBy: 'user:default/guest',
          }}
          fourEyes={fourEyes}
          onChange={jest.fn()}
        />
      </TestApiProvider>,
    );
    const po = screen.getByRole('region', { name: 'Product Owner sign-off' });
    expect(po).toHaveTextContent('Priya Raman (');
    expect(po).toHaveTextContent('can sign as Product Owner.');
    const security = screen.getByRole('region', { name: 'Security sign-off' });
    expect(security).toHaveTextContent('Samir Haddad and Mei Tanaka (');
    // An approved role names nobody to ask.
    const dpo = screen.getByRole('region', {
      name: 'Data Protection Officer sign-off',
    });
    expect(within(dpo).queryByText(/can sign as/)).toBeNull();
  });
});
