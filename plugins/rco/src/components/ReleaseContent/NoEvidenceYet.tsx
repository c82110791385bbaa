import { CodeSnippet, EmptyState, Link } from '@backstage/core-components';
import { CompoundEntityRef } from '@backstage/catalog-model';
import { CapabilitiesResponse } from '@helix-portal/plugin-rco-common';
import { Box } from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import { DeploysOff, INSTALL_GUIDE_URL } from '../Operations/DeploysOff';

/**
 * The Release tab before any evidence exists. It says how evidence arrives for this entity, and,
 * in a portal that is not fully configured yet, what its operators configure instead: a CI
 * command nobody can run (no rco.ci.subjects entry for the entity) would only mislead.
 */
export function NoEvidenceYet(props: {
  entityRef: CompoundEntityRef;
  capabilities?: CapabilitiesResponse;
}) {
  const { entityRef, capabilities } = props;
  const path = `${entityRef.kind.toLocaleLowerCase('en-US')}/${
    entityRef.namespace
  }/${entityRef.name}`;
  const ciCanUpload = capabilities?.ciUpload !== false;
  return (
    <Box display="flex" flexDirection="column" style={{ gap: 16 }}>
      <EmptyState
        missing="data"
        title="No evidence yet"
        description={
          capabilities?.uploadEvidence
            ? 'Upload your first scan from CI or your shell; the gates fill in as evidence arrives.'
            : 'The owners have not uploaded any evidence for this service yet.'
        }
      />
      {ciCanUpload ? (
        <CodeSnippet
          language="bash"
          text={`trivy image --format json "$IMAGE" | curl -fsS -H "Authorization: Bearer $RCO_CI_TOKEN" \\\n  --data-binary @- "$BACKSTAGE/api/rco/entities/${path}/evidence?digest=$DIGEST&version=$VERSION"`}
        />
      ) : (
        <Alert
          severity="info"
          role="status"
          aria-label="No pipeline may upload"
        >
          <strong>No pipeline may upload evidence for this service yet.</strong>{' '}
          The portal's operators give a CI token's subject this entity under
          rco.ci.subjects (with the token in backend.auth.externalAccess); see
          the <Link to={INSTALL_GUIDE_URL}>install guide</Link>.
        </Alert>
      )}
      {capabilities?.operations?.environmentsConfigured === false && (
        <DeploysOff />
      )}
    </Box>
  );
}
