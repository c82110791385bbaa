import { renderInTestApp } from '@backstage/test-utils';
import { OverrideResponse } from '@helix-portal/plugin-rco-common';
import { fireEvent, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { DateTime, Duration } from 'luxon';
import { RcoApi } from '../../api/RcoApi';
import { BreakGlassDialog, OverrideBanner } from './BreakGlass';
import { breakGlassMaxDuration } from './model';

// The first render of a file is slow on a loaded machine (the default 5 s timed out locally).
jest.setTimeout(30_000);

const ENTITY = { kind: 'component', namespace: 'default', name: 'rco' };
const RELEASE = { version: '1.5.0', digest: `sha256:${'c'.repeat(64)}` };
const LOCAL = "yyyy-LL-dd'T'HH:mm";

const override: OverrideResponse = {
  id: 'ov-1',
  entityRef: 'component:default/rco',
  environment: 'production',
  release: RELEASE,
  justification: 'Hotfix for incident INC-4711: calls dropped',
  createdBy: 'user:default/mei',
  createdAt: '2026-11-27T09:00:00.000Z',
  expiresAt: '2026-11-27T11:00:00.000Z',
};

describe('break-glass maximum', () => {
  it('is what the backend reports, and PT4H when it reports nothing usable', () => {
    const caps = (maxDuration?: string) => ({
      actor: 'user:default/mei',
      uploadEvidence: false,
      requestRelease: false,
      waive: false,
      signoff: { po: false, dpo: false, security: false },
      operations: {
        deploy: false,
        rollback: false,
        control: false,
        breakGlass: true,
        breakGlassMaxDuration: maxDuration,
      },
    });
    expect(breakGlassMaxDuration(caps('PT30M')).as('minutes')).toBe(30);
    expect(breakGlassMaxDuration(caps('P1D')).as('hours')).toBe(24);
    expect(breakGlassMaxDuration(caps()).as('hours')).toBe(4);
    expect(breakGlassMaxDuration(caps('four hours')).as('hours')).toBe(4);
    expect(breakGlassMaxDuration(undefined).as('hours')).toBe(4);
  });

  it('bounds the expiry the dialog accepts and starts within it', async () => {
    const createOverride = jest.fn(async () => override);
    const onClose = jest.fn();
    await renderInTestApp(
      <BreakGlassDialog
        api={{ createOverride } as unknown as RcoApi}
        entityRef={ENTITY}
        environment="production"
        release={RELEASE}
        maxDuration={Duration.fromISO('PT30M')}
        onClose={onClose}
      />,
    );
    const dialog = screen.getByRole('dialog');
    const expires = within(dialog).getByLabelText(/Expires/);
    // An hour would be over the maximum: the proposed expiry is the maximum.
    expect(expires).toHaveAttribute('aria-invalid', 'false');
    expect(
      within(dialog).getByText('At most 30 minutes from now'),
    ).toBeInTheDocument();
    fireEvent.change(expires, {
      target: { value: DateTime.now().plus({ minutes: 45 }).toFormat(LOCAL) },
    });
    expect(
      within(dialog).getByText(
        'More than 30 minutes away: choose an earlier time',
      ),
    ).toBeInTheDocument();
    await userEvent.type(
      within(dialog).getByLabelText(/Justification/),
      'Hotfix for incident INC-4711: calls dropped',
    );
    expect(
      within(dialog).getByRole('button', { name: 'Record override' }),
    ).toBeDisabled();
    const inTwenty = DateTime.now().plus({ minutes: 20 }).toFormat(LOCAL);
    fireEvent.change(expires, { target: { value: inTwenty } });
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Record override' }),
    );
    expect(createOverride).toHaveBeenCalledWith(ENTITY, {
      environment: 'production',
      release: RELEASE,
      justification: 'Hotfix for incident INC-4711: calls dropped',
      expiresAt: DateTime.fromISO(inTwenty).toUTC().toISO(),
    });
    expect(onClose).toHaveBeenCalledWith(override);
  });
});

describe('OverrideBanner', () => {
  it('has no Revoke button when it is given no way to revoke', async () => {
    await renderInTestApp(<OverrideBanner override={override} />);
    expect(
      screen.getByLabelText('Break-glass override active'),
    ).toHaveTextContent('by mei');
    expect(screen.queryByRole('button')).not.toBeInTheDocument();
  });

  it('says why a revoke failed and lets the person try again', async () => {
    const onRevoke = jest
      .fn()
      .mockRejectedValueOnce(
        new Error('Only members of group:default/break-glass may break glass'),
      )
      .mockResolvedValue(undefined);
    await renderInTestApp(
      <OverrideBanner override={override} onRevoke={onRevoke} />,
    );
    const revoke = screen.getByRole('button', {
      name: 'Revoke the break-glass override for production',
    });
    await userEvent.click(revoke);
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Could not revoke it: Only members of group:default/break-glass may break glass',
    );
    expect(revoke).toBeEnabled();
    await userEvent.click(revoke);
    expect(onRevoke).toHaveBeenCalledTimes(2);
    expect(onRevoke).toHaveBeenLastCalledWith(override);
  });
});
