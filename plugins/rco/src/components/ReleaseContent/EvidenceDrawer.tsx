import {
  CodeSnippet,
  Progress,
  ResponseErrorPanel,
  StructuredMetadataTable,
} from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import { Box, Button, Drawer, IconButton, Typography } from '@material-ui/core';
import Close from '@material-ui/icons/Close';
import useAsync from 'react-use/esm/useAsync';
import { rcoApiRef } from '../../api/RcoApi';
import { GateEvidenceRef } from '@helix-portal/plugin-rco-common';
import { Person, When } from '../shared';
import { sourceLabel } from './format';
import { provenanceRows, SignatureLabel } from './Provenance';

/**
 * The image a scan, SBOM or signature names, or who asserted it when the document names none
 * (then only its uploader says which image it is about).
 */
function imageRow(value: { summary: any; submitter: string }) {
  const { summary } = value;
  if (!['vulnerability-scan', 'sbom', 'signature'].includes(summary.type))
    return {};
  const image = summary.image as
    | { repositories: string[]; digests: string[]; tags: string[] }
    | undefined;
  if (!image) return { image: `asserted by ${value.submitter}` };
  return {
    image:
      [...image.tags, ...image.digests].join(', ') ||
      image.repositories.join(', '),
  };
}

/** One piece of evidence: its normalised summary, provenance and the stored document. */
export function EvidenceDrawer(props: {
  id?: string;
  onClose: () => void;
  /** The gate's reference to it: where the console collected it, how a signature stands. */
  evidence?: GateEvidenceRef;
  /** Clusters that are the local portal's simulated cluster: named as such. */
  simulatedClusters?: Set<string>;
}) {
  const api = useApi(rcoApiRef);
  const { id, onClose } = props;
  const ref = props.evidence?.id === id ? props.evidence : undefined;
  const { value, loading, error } = useAsync(
    async () => (id ? api.getEvidence(id) : undefined),
    [api, id],
  );

  const download = async () => {
    if (!value) return;
    const blob = await api.downloadEvidence(value.id);
    const url = URL.createObjectURL(blob);
    const a = document.createElement('a');
    a.href = url;
    a.download = `${value.kind}-${value.sha256.slice(0, 12)}`;
    a.click();
    URL.revokeObjectURL(url);
  };

  return (
    // The dialog role sits on the drawer's paper, the element MUI focuses on open, so focus
    // lands inside the dialog; Escape closes it and MUI returns focus to the opening button.
    <Drawer
      anchor="right"
      open={!!id}
      onClose={onClose}
      PaperProps={{
        role: 'dialog',
        'aria-modal': true,
        'aria-label': 'Evidence',
      }}
    >
      <Box p={3} width={560} maxWidth="100vw">
        <Box display="flex" alignItems="center" justifyContent="space-between">
          <Typography variant="h5" component="h2">
            Evidence{value ? `: ${value.kind}` : ''}
          </Typography>
          <IconButton aria-label="Close evidence" onClick={onClose}>
            <Close />
          </IconButton>
        </Box>
        {loading && <Progress />}
        {error && <ResponseErrorPanel error={error} />}
        {value && (
          <>
            <Typography variant="h6" component="h3">
              Provenance
            </Typography>
            <StructuredMetadataTable
              metadata={{
                source: sourceLabel(value.source),
                submitter: <Person actor={value.submitter} />,
                collected: <When iso={value.collectedAt} />,
                sha256: value.sha256,
                release:
                  [
                    value.subject.version && `version ${value.subject.version}`,
                    value.subject.digest && `digest ${value.subject.digest}`,
                    value.subject.commit && `commit ${value.subject.commit}`,
                    value.subject.environment &&
                      `environment ${value.subject.environment}`,
                  ]
                    .filter(Boolean)
                    .join(', ') || 'not bound to a release',
                size: `${value.rawSize} bytes`,
                ...imageRow(value),
              }}
            />
            {ref?.signature && (
              <Box mt={1}>
                <SignatureLabel signature={ref.signature} />
              </Box>
            )}
            {ref?.provenance && (
              <Box mt={2}>
                <Typography variant="h6" component="h3">
                  Collected by the console
                </Typography>
                <StructuredMetadataTable
                  metadata={provenanceRows(
                    ref.provenance,
                    props.simulatedClusters,
                  )}
                />
              </Box>
            )}
            <Box my={2}>
              <Button variant="outlined" color="primary" onClick={download}>
                Download the document
              </Button>
            </Box>
            <Typography variant="h6" component="h3">
              Summary
            </Typography>
            <CodeSnippet
              language="json"
              text={JSON.stringify(value.summary, null, 2)}
            />
          </>
        )}
      </Box>
    </Drawer>
  );
}
