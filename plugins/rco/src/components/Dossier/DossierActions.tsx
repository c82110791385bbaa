import { CompoundEntityRef } from '@backstage/catalog-model';
import { Box, Button } from '@material-ui/core';
import { useState } from 'react';
import { RcoApi } from '../../api/RcoApi';
import { saveBlob } from '../PortfolioPage/saveBlob';
import { Refusal } from '../shared';

type Release = { version?: string; digest?: string };

/** "rco-1.3.2" or "rco-3f3f3f3f3f3f" for file names. */
function fileStem(entityRef: CompoundEntityRef, release: Release) {
  const which =
    release.version ?? release.digest?.replace(/^sha256:/, '').slice(0, 12);
  return `${entityRef.name}-${which ?? 'release'}`.replace(/[^\w.-]+/g, '_');
}

/**
 * The release's archive: the dossier (a zip of every record it was judged on, with a manifest of
 * sha256 digests) and its signed verification summary (DSSE envelope JSON). Both are fetched
 * with the user's token and saved, as the portfolio's CSV export is.
 */
export function DossierActions(props: {
  api: RcoApi;
  entityRef: CompoundEntityRef;
  release: Release;
}) {
  const { api, entityRef, release } = props;
  const [busy, setBusy] = useState<string>();
  const [error, setError] = useState<{ what: string; error: unknown }>();
  if (!api.downloadDossier && !api.downloadAttestation) return null;
  const bound = !!release.version || !!release.digest;
  const save =
    (what: string, fetchIt: () => Promise<Blob>, filename: string) =>
    async () => {
      setBusy(what);
      setError(undefined);
      try {
        saveBlob(await fetchIt(), filename);
      } catch (e) {
        setError({ what, error: e });
      } finally {
        setBusy(undefined);
      }
    };
  const stem = fileStem(entityRef, release);
  return (
    <Box>
      <Box display="flex" style={{ gap: 8 }} flexWrap="wrap">
        {api.downloadDossier && (
          <Button
            variant="outlined"
            disabled={!bound || !!busy}
            onClick={save(
              'The dossier could not be downloaded',
              () => api.downloadDossier!(entityRef, release),
              `${stem}-dossier.zip`,
            )}
          >
            {busy === 'The dossier could not be downloaded'
              ? 'Downloading…'
              : 'Download dossier'}
          </Button>
        )}
        {api.downloadAttestation && (
          <Button
            variant="outlined"
            disabled={!bound || !!busy}
            onClick={save(
              'The attestation could not be downloaded',
              () => api.downloadAttestation!(entityRef, release),
              `${stem}.attestation.dsse.json`,
            )}
          >
            Download attestation (JSON)
          </Button>
        )}
      </Box>
      {error && (
        <Box mt={1}>
          <Refusal title={error.what} error={error.error} />
        </Box>
      )}
    </Box>
  );
}
