import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {
  api,
  captureSaves,
  ENTITY,
  RELEASE,
  refused,
  renderWith,
} from '../../__testUtils__/roadFixtures';
import { DossierActions } from './DossierActions';

jest.setTimeout(30_000);

describe('DossierActions', () => {
  it('downloads the dossier and the attestation with the token-carrying client and saves them', async () => {
    const saves = captureSaves();
    const downloadDossier = jest.fn(
      async () => new Blob(['PK'], { type: 'application/zip' }),
    );
    const downloadAttestation = jest.fn(
      async () => new Blob(['{"payloadType":"application/vnd.in-toto+json"}']),
    );
    await renderWith(
      <DossierActions
        api={api({ downloadDossier, downloadAttestation })}
        entityRef={ENTITY}
        release={RELEASE}
      />,
    );
    await userEvent.click(
      screen.getByRole('button', { name: 'Download dossier' }),
    );
    await waitFor(() => expect(saves).toHaveLength(1));
    expect(downloadDossier).toHaveBeenCalledWith(ENTITY, RELEASE);
    expect(saves[0].name).toBe('rco-1.3.2-dossier.zip');
    expect(await saves[0].blob.text()).toBe('PK');

    await userEvent.click(
      screen.getByRole('button', { name: 'Download attestation (JSON)' }),
    );
    await waitFor(() => expect(saves).toHaveLength(2));
    expect(saves[1].name).toBe('rco-1.3.2.attestation.dsse.json');
  });

  it("says why the attestation is missing in the backend's words", async () => {
    captureSaves();
    const downloadAttestation = jest.fn(async () => {
      throw await refused(
        404,
        'The portal signs no attestations: rco.attestation.privateKey is not configured',
      );
    });
    await renderWith(
      <DossierActions
        api={api({ downloadDossier: jest.fn(), downloadAttestation })}
        entityRef={ENTITY}
        release={RELEASE}
      />,
    );
    await userEvent.click(
      screen.getByRole('button', { name: 'Download attestation (JSON)' }),
    );
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'The attestation could not be downloaded: The portal signs no attestations: rco.attestation.privateKey is not configured',
    );
  });

  it('names the file by digest when the release has no version, and waits for a release', async () => {
    const saves = captureSaves();
    const downloadDossier = jest.fn(async () => new Blob(['PK']));
    const { rerender } = await renderWith(
      <DossierActions
        api={api({ downloadDossier })}
        entityRef={ENTITY}
        release={{}}
      />,
    );
    expect(
      screen.getByRole('button', { name: 'Download dossier' }),
    ).toBeDisabled();
    rerender(
      <DossierActions
        api={api({ downloadDossier })}
        entityRef={ENTITY}
        release={{ digest: RELEASE.digest }}
      />,
    );
    await userEvent.click(
      screen.getByRole('button', { name: 'Download dossier' }),
    );
    await waitFor(() => expect(saves).toHaveLength(1));
    expect(saves[0].name).toBe('rco-3f3f3f3f3f3f-dossier.zip');
  });
});
