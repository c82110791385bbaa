import { CompoundEntityRef } from '@backstage/catalog-model';
import { InfoCard } from '@backstage/core-components';
import { TimelineResponse } from '@helix-portal/plugin-rco-common';
import { Box } from '@material-ui/core';
import { RcoApi } from '../../api/RcoApi';
import { DossierActions } from '../Dossier';
import { RcoRead } from '../Road/useRcoRead';
import { ReleaseTimeline } from './ReleaseTimeline';

/** The release's timeline with its archive (dossier and attestation) beside it. */
export function TimelineSection(props: {
  api: RcoApi;
  entityRef: CompoundEntityRef;
  release: { version?: string; digest?: string };
  timeline: RcoRead<TimelineResponse>;
  onOpenEvidence?: (id: string) => void;
}) {
  if (!props.timeline.supported && !props.api.downloadDossier) return null;
  return (
    <InfoCard
      title="Release timeline"
      subheader="The release's story from the ledger, oldest first. The dossier archives every record it was judged on."
    >
      <Box mb={2}>
        <DossierActions
          api={props.api}
          entityRef={props.entityRef}
          release={props.release}
        />
      </Box>
      {props.timeline.supported && (
        <ReleaseTimeline
          api={props.api}
          timeline={props.timeline.value}
          error={props.timeline.error}
          onOpenEvidence={props.onOpenEvidence}
        />
      )}
    </InfoCard>
  );
}
