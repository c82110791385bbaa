import { alertApiRef } from '@backstage/frontend-plugin-api';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { FourEyesView, GateResult } from '@helix-portal/plugin-rco-common';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { RcoApi } from '../../api/RcoApi';
import { SignoffPanel } from './SignoffPanel';
import { WaiverDialog } from './WaiverDialog';

const ENTITY = { kind: 'component', namespace: 'default', name: 'rco' };
const DIGEST = `sha256:${'3f'.repeat(32)}`;
const capabilities = {
  actor: 'user:default/lena.vogel',
  uploadEvidence: true,
  requestRelease: true,
  signoff: { po: true, dpo: true, security: true },
  waive: true,
} as any;
const refused = (message: string) =>
  Object.assign(new Error('Request failed with 409 Conflict'), {
    body: { error: { message } },
  });
const never = () => new Promise<never>(() => {});

const fourEyes: FourEyesView = {
  requester: 'user:default/guest',
  roles: {
    po: { status: 'missing', decisions: [], next: [] },
    dpo: {
      status: 'approved',
      decisions: [
        {
          id: 's1',
          signer: 'user:default/lena.vogel',
          decision: 'approved',
          createdAt: new Date(Date.now() - 60_000).toISOString(),
        },
      ],
      next: [],
    },
    security: { status: 'missing', decisions: [], next: [] },
  },
};

async function renderPanel(api: Partial<RcoApi>, requestedBy?: string) {
  const post = jest.fn();
  await renderInTestApp(
    <TestApiProvider apis={[[alertApiRef, { post } as any]]}>
      <SignoffPanel
        api={api as RcoApi}
        entityRef={ENTITY}
        release={{ version: '1.3.2', digest: DIGEST, requestedBy }}
        fourEyes={fourEyes}
        capabilities={capabilities}
        onChange={jest.fn()}
      />
    </TestApiProvider>,
  );
  return post;
}

describe('sign-off and waiver buttons while a request is in flight (issue 12 review, point 1)', () => {
  it('Approve sends one sign-off for a double click', async () => {
    const signOff = jest.fn(never);
    await renderPanel({ signOff }, 'user:default/guest');
    fireEvent.click(
      screen.getByRole('button', { name: 'Sign as Product Owner' }),
    );
    const approve = await screen.findByRole('button', { name: 'Approve' });
    fireEvent.click(approve);
    fireEvent.click(approve);
    fireEvent.click(screen.getByRole('button', { name: 'Reject' }));
    expect(signOff).toHaveBeenCalledTimes(1);
    expect(screen.getByRole('button', { name: 'Approve' })).toBeDisabled();
    expect(screen.getByRole('button', { name: 'Reject' })).toBeDisabled();
  });

  it('Revoke sends one revocation for a double click', async () => {
    const revokeSignoff = jest.fn(never);
    await renderPanel({ revokeSignoff }, 'user:default/guest');
    const revoke = screen.getByRole('button', { name: /^Revoke the Data/ });
    fireEvent.click(revoke);
    fireEvent.click(revoke);
    expect(revokeSignoff).toHaveBeenCalledTimes(1);
    expect(revoke).toBeDisabled();
  });

  it('Request this release sends one request for a double click', async () => {
    const requestRelease = jest.fn(never);
    await renderPanel({ requestRelease });
    const request = screen.getByRole('button', {
      name: 'Request this release',
    });
    fireEvent.click(request);
    fireEvent.click(request);
    expect(requestRelease).toHaveBeenCalledTimes(1);
    expect(request).toBeDisabled();
  });

  it('Waive sends one waiver for a double click', async () => {
    const createWaiver = jest.fn(never);
    await renderWaiver({ createWaiver });
    const waive = screen.getByRole('button', { name: 'Waive' });
    fireEvent.click(waive);
    fireEvent.click(waive);
    expect(createWaiver).toHaveBeenCalledTimes(1);
    expect(waive).toBeDisabled();
  });
});

const gates = [
  { id: 'image-scanning', title: 'Image Scanning', status: 'fail' },
] as GateResult[];

async function renderWaiver(api: Partial<RcoApi>) {
  const post = jest.fn();
  await renderInTestApp(
    <TestApiProvider apis={[[alertApiRef, { post } as any]]}>
      <WaiverDialog
        api={api as RcoApi}
        entityRef={ENTITY}
        gates={gates}
        open
        onClose={jest.fn()}
      />
    </TestApiProvider>,
  );
  fireEvent.change(screen.getByLabelText(/Justification/), {
    target: { value: 'The scanner is down; fixed in 1.3.3' },
  });
  return post;
}

describe('refusals in names and words (issue 12 review, point 2)', () => {
  it('a refused sign-off names the requester, not their ref, in the dialog', async () => {
    const signOff = jest.fn(async () => {
      throw refused(
        'user:default/guest requested 1.3.2 and may not sign it off (four eyes)',
      );
    });
    const post = await renderPanel({ signOff }, 'user:default/guest');
    fireEvent.click(screen.getByRole('button', { name: 'Sign as Security' }));
    fireEvent.click(await screen.findByRole('button', { name: 'Approve' }));
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent(
      'Sign-off refused: guest requested 1.3.2 and may not sign it off',
    );
    expect(alert).not.toHaveTextContent('user:default/guest');
    expect(within(screen.getByRole('dialog')).getByRole('alert')).toBe(alert);
    expect(post).not.toHaveBeenCalled();
    // Enabled again: the person may change the comment and try again.
    expect(screen.getByRole('button', { name: 'Approve' })).toBeEnabled();
  });

  it('a refused revocation is said beside the sign-offs, by name', async () => {
    const revokeSignoff = jest.fn(async () => {
      throw refused('user:default/lena.vogel may not revoke it');
    });
    await renderPanel({ revokeSignoff }, 'user:default/guest');
    fireEvent.click(screen.getByRole('button', { name: /^Revoke the Data/ }));
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Revocation refused: lena.vogel may not');
    expect(alert).not.toHaveTextContent('user:default/');
  });

  it('a waiver refused for its length says the limit in words', async () => {
    const createWaiver = jest.fn(async () => {
      throw refused('A waiver may last at most P7D');
    });
    await renderWaiver({ createWaiver });
    fireEvent.click(screen.getByRole('button', { name: 'Waive' }));
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Waiver refused: A waiver may last at most 7 days',
    );
  });

  it('a waiver refused for its expiry names the field in words', async () => {
    const createWaiver = jest.fn(async () => {
      throw refused('expiresAt must be in the future');
    });
    await renderWaiver({ createWaiver });
    fireEvent.click(screen.getByRole('button', { name: 'Waive' }));
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('The expiry must be in the future');
    expect(alert).not.toHaveTextContent('expiresAt');
    await waitFor(() =>
      expect(screen.getByRole('button', { name: 'Waive' })).toBeEnabled(),
    );
  });
});
