import { GATES } from '@helix-portal/plugin-rco-common';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {
  caps,
  DIGEST,
  mockApi,
  render,
  slow,
  status,
  STATUSES,
  WAIVER_EXPIRES,
} from '../../__testUtils__/releaseFixtures';

jest.setTimeout(30_000);

describe('ReleaseContent', () => {
  it('shows the verdict and a row for every gate with its status in words', async () => {
    await render(mockApi());
    expect(
      await screen.findByLabelText(
        'Verdict: Blocked in production. Blocked by 5 gates: Secret Hygiene, Migration Controls, Image & Dependency Scanning, Monitoring & Alerting, DPO Sign-off; 1 gate waived: Progressive Delivery Validation',
        {},
        slow,
      ),
    ).toBeInTheDocument();
    for (const [i, gate] of GATES.entries()) {
      // The title also links from the pillar cards: the row is the one in the table.
      const row = screen
        .getAllByText(gate.title)
        .map(el => el.closest('tr'))
        .find(Boolean)!;
      expect(
        within(row).getByText(
          STATUSES[i][0].toUpperCase() + STATUSES[i].slice(1),
        ),
      ).toBeInTheDocument();
      expect(
        within(row).getByText(`${gate.title} reason ${STATUSES[i]}`),
      ).toBeInTheDocument();
      expect(
        within(row).getByRole('link', { name: gate.verification }),
      ).toHaveAttribute(
        'href',
        expect.stringContaining('#section-final-review-gate-checklist'),
      );
    }
    // Who waived it by name, and until when as a time people read (the instant on hover).
    const waiver = screen.getByRole('status', {
      name: 'Progressive Delivery Validation is waived',
    });
    expect(waiver).toHaveTextContent(
      /^Progressive Delivery Validation is waived by Samir Haddad until \w.* \(in .*\): Fix lands Monday$/,
    );
    expect(waiver).not.toHaveTextContent(WAIVER_EXPIRES);
    expect(
      within(waiver)
        .getByText(/\(in \d+ \w+\)$/)
        .closest('time'),
    ).toHaveAttribute('dateTime', WAIVER_EXPIRES);
  });

  it('lists pillar requirements met and unmet, in words', async () => {
    await render(mockApi());
    const pillar = await screen.findByRole(
      'list',
      { name: 'Trust-by-Design requirements' },
      slow,
    );
    expect(
      within(pillar).getByText(
        'Not met: Image & Dependency Scanning gate passes',
      ),
    ).toBeInTheDocument();
    expect(
      within(pillar).getByText('Met: Release image signed (Cosign)'),
    ).toBeInTheDocument();
  });

  it('opens the evidence drawer with provenance', async () => {
    const api = mockApi();
    await render(api);
    await userEvent.click(
      (
        await screen.findAllByRole(
          'button',
          { name: /Open trivy evidence for Secret Hygiene/ },
          slow,
        )
      )[0],
    );
    const drawer = await screen.findByRole('dialog', { name: 'Evidence' });
    expect(
      await within(drawer).findByText('service:ci-rco'),
    ).toBeInTheDocument();
    expect(
      within(drawer).getByRole('button', { name: 'Download the document' }),
    ).toBeInTheDocument();
    expect(api.getEvidence).toHaveBeenCalledWith('ev-secret-hygiene');
  });

  it('offers signing only to members of the role, and sends the release', async () => {
    const api = mockApi({
      getCapabilities: jest.fn(async () =>
        caps({ signoff: { po: false, dpo: true, security: false } }),
      ),
    });
    await render(api);
    expect(
      await screen.findByRole(
        'button',
        { name: 'Sign as Data Protection Officer' },
        slow,
      ),
    ).toBeInTheDocument();
    expect(
      screen.queryByRole('button', { name: 'Sign as Product Owner' }),
    ).not.toBeInTheDocument();
    expect(
      screen.queryByRole('button', { name: 'Sign as Security' }),
    ).not.toBeInTheDocument();
    await userEvent.click(
      screen.getByRole('button', { name: 'Sign as Data Protection Officer' }),
    );
    expect(screen.getByLabelText('Comment')).toHaveFocus();
    await userEvent.type(
      screen.getByLabelText('Comment'),
      'Caller ids are pseudonymous',
    );
    await userEvent.click(screen.getByRole('button', { name: 'Approve' }));
    expect(api.signOff).toHaveBeenCalledWith(
      { kind: 'Component', namespace: 'default', name: 'rco' },
      {
        role: 'dpo',
        release: { version: '1.3.2', digest: DIGEST },
        decision: 'approved',
        comment: 'Caller ids are pseudonymous',
      },
    );
  });

  describe('sign-offs as the backend judged them (four eyes)', () => {
    const judged = () => {
      const st = status();
      st.release.requestedBy = 'user:default/alice';
      st.fourEyes = {
        requester: 'user:default/alice',
        confirmer: 'user:default/guest',
        roles: {
          po: {
            status: 'missing',
            reason: 'No PO approval of 1.3.2',
            decisions: [],
          },
          dpo: {
            status: 'approved',
            decisions: [
              {
                id: 'dana-1',
                signer: 'user:default/dana',
                decision: 'approved',
                createdAt: '2026-11-29T10:00:00Z',
              },
            ],
          },
          security: {
            status: 'missing',
            reason:
              'No Security approval of 1.3.2 counts: user:default/guest confirms the deploy and cannot approve it too (four eyes)',
            decisions: [
              {
                id: 'guest-1',
                signer: 'user:default/guest',
                decision: 'approved',
                createdAt: '2026-11-29T11:00:00Z',
                notCounted:
                  'confirms the deploy and cannot approve it too (four eyes)',
              },
            ],
          },
        },
      };
      return st;
    };

    it("shows each signer's standing decision and why an approval does not count", async () => {
      await render(mockApi({ getStatus: jest.fn(async () => judged()) }));
      const security = await screen.findByRole(
        'region',
        { name: 'Security sign-off' },
        slow,
      );
      // Signers by display name (issue 12, point 7), not by ref.
      expect(security).toHaveTextContent('Approved by Guest User');
      expect(security).toHaveTextContent(
        /Does not count: Guest User confirms the deploy and cannot approve it too/,
      );
      expect(security).not.toHaveTextContent('user:default/guest');
      expect(
        within(
          screen.getByRole('region', { name: 'Product Owner sign-off' }),
        ).getByText('Not signed'),
      ).toBeInTheDocument();
    });

    it("offers Revoke on the caller's own decision only, unless they may revoke others'", async () => {
      const api = mockApi({ getStatus: jest.fn(async () => judged()) });
      await render(api);
      await userEvent.click(
        await screen.findByRole(
          'button',
          { name: 'Revoke the Security decision of Guest User' },
          slow,
        ),
      );
      expect(api.revokeSignoff).toHaveBeenCalledWith('guest-1');
      expect(
        screen.queryByRole('button', {
          name: 'Revoke the Data Protection Officer decision of Dana Berg',
        }),
      ).not.toBeInTheDocument();

      await render(
        mockApi({
          getStatus: jest.fn(async () => judged()),
          getCapabilities: jest.fn(async () => caps({ revokeSignoffs: true })),
        }),
      );
      expect(
        await screen.findByRole(
          'button',
          {
            name: 'Revoke the Data Protection Officer decision of Dana Berg',
          },
          slow,
        ),
      ).toBeInTheDocument();
    });
  });

  it('lets an owner record the release request that four eyes needs, then names the requester', async () => {
    const api = mockApi();
    await render(api);
    await userEvent.click(
      within(
        await screen.findByRole('region', { name: 'Release request' }, slow),
      ).getByRole('button', { name: 'Request this release' }),
    );
    expect(api.requestRelease).toHaveBeenCalledWith(
      { kind: 'Component', namespace: 'default', name: 'rco' },
      { version: '1.3.2', digest: DIGEST },
    );
    const requested = status();
    requested.release.requestedBy = 'user:default/guest';
    const second = await render(
      mockApi({ getStatus: jest.fn(async () => requested) }),
    );
    expect(
      await within(second.container).findByRole(
        'region',
        { name: 'Release request' },
        slow,
      ),
    ).toHaveTextContent(
      'Requested by Guest User, who cannot sign it off (four eyes).',
    );
  });

  it('hides waiving from people outside the waiver group and says why', async () => {
    await render(mockApi());
    expect(
      // By name, from the waiver group (issue 12, point 1), not "the waiver group".
      await screen.findByText(
        (_, el) =>
          el?.classList.contains('MuiTypography-caption') === true &&
          el.textContent ===
            'Waivers are granted by Samir Haddad (Release Managers).',
        {},
        slow,
      ),
    ).toBeInTheDocument();
    expect(
      screen.queryByRole('button', { name: 'Waive a gate' }),
    ).not.toBeInTheDocument();
  });

  it('keeps sign-off controls visible but disabled, with the reason, when the release has no digest', async () => {
    const undigested = status();
    undigested.release = { version: '1.3.2' };
    const api = mockApi({
      listReleases: jest.fn(async () => ({
        items: [{ version: '1.3.2', lastEvidenceAt: new Date().toISOString() }],
        environments: [],
      })),
      getStatus: jest.fn(async () => undigested),
      getCapabilities: jest.fn(async () =>
        caps({ signoff: { po: false, dpo: true, security: false } }),
      ),
    });
    await render(api);
    const sign = await screen.findByRole(
      'button',
      { name: 'Sign as Data Protection Officer' },
      slow,
    );
    const request = within(
      screen.getByRole('region', { name: 'Release request' }),
    ).getByRole('button', { name: 'Request this release' });
    for (const control of [sign, request]) {
      expect(control).toBeDisabled();
      expect(control).toHaveAccessibleDescription(
        /^No image digest for v1\.3\.2: a sign-off binds to a version and an image digest/,
      );
    }
    expect(
      screen.queryByRole('button', { name: 'Sign as Product Owner' }),
    ).not.toBeInTheDocument();
    await userEvent.click(sign, { pointerEventsCheck: 0 });
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    expect(api.signOff).not.toHaveBeenCalled();
    expect(api.listSignoffs).not.toHaveBeenCalled();
  });

  it('numbers evidence buttons of one kind and focuses the drawer it opens', async () => {
    const velero = status();
    velero.gates[0].evidence = ['b1', 'b2'].map(id => ({
      ...velero.gates[0].evidence[0],
      id,
      kind: 'velero-backup',
    }));
    await render(mockApi({ getStatus: jest.fn(async () => velero) }));
    const second = await screen.findByRole(
      'button',
      { name: `Open velero-backup evidence 2 of 2 for ${GATES[0].title}` },
      slow,
    );
    await userEvent.click(second);
    const drawer = await screen.findByRole('dialog', { name: 'Evidence' });
    expect(drawer).toContainElement(document.activeElement as HTMLElement);
  });

  it('opens the waiver dialog from the keyboard with focus inside, and Escape gives focus back', async () => {
    await render(
      mockApi({ getCapabilities: jest.fn(async () => caps({ waive: true })) }),
    );
    const waive = await screen.findByRole(
      'button',
      { name: 'Waive a gate' },
      slow,
    );
    waive.focus();
    await userEvent.keyboard('{Enter}');
    const dialog = await screen.findByRole('dialog', { name: 'Waive a gate' });
    expect(dialog).toContainElement(document.activeElement as HTMLElement);
    // Every field is labelled (and the justification is where the focus starts).
    expect(document.activeElement).toBe(
      within(dialog).getByRole('textbox', { name: /^Justification/ }),
    );
    expect(within(dialog).getByRole('button', { name: /^Gate/ })).toBeVisible();
    expect(
      within(dialog).getByLabelText(/^Expires/),
    ).toHaveAccessibleDescription('At most seven days from now');
    await userEvent.keyboard('{Escape}');
    await waitFor(() =>
      expect(screen.queryByRole('dialog')).not.toBeInTheDocument(),
    );
    expect(waive).toHaveFocus();
  });

  it('offers the failing gates for a waiver, but never the sign-off gate', async () => {
    await render(
      mockApi({ getCapabilities: jest.fn(async () => caps({ waive: true })) }),
    );
    await userEvent.click(
      await screen.findByRole('button', { name: 'Waive a gate' }, slow),
    );
    const dialog = await screen.findByRole('dialog', { name: 'Waive a gate' });
    await userEvent.click(
      within(dialog).getByRole('button', { name: /^Gate/ }),
    );
    const options = (await screen.findAllByRole('option')).map(
      o => o.textContent,
    );
    expect(options.length).toBeGreaterThan(0);
    expect(options).not.toContain('DPO Sign-off');
  });

  it('tells an owner how to upload when there is no evidence yet', async () => {
    await render(
      mockApi({
        listReleases: jest.fn(async () => ({ items: [], environments: [] })),
      }),
    );
    expect(
      await screen.findByText('No evidence yet', {}, slow),
    ).toBeInTheDocument();
    expect(screen.getByText(/trivy image --format json/)).toBeInTheDocument();
  });

  it('says when the backend is down and retries', async () => {
    const api = mockApi({
      getStatus: jest
        .fn()
        .mockRejectedValueOnce(new Error('connect ECONNREFUSED'))
        .mockResolvedValue(status()),
    });
    await render(api);
    expect(
      (await screen.findAllByText(/ECONNREFUSED/, {}, slow)).length,
    ).toBeGreaterThan(0);
    await userEvent.click(screen.getByRole('button', { name: 'Try again' }));
    expect(
      await screen.findByLabelText(/^Verdict:/, {}, slow),
    ).toBeInTheDocument();
  });
});
