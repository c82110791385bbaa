import { CompoundEntityRef } from '@backstage/catalog-model';
import { InfoCard } from '@backstage/core-components';
import {
  CapabilitiesResponse,
  DeployWindowView,
  RoadResponse,
} from '@helix-portal/plugin-rco-common';
import { Box } from '@material-ui/core';
import { RcoApi } from '../../api/RcoApi';
import { WindowsPanel } from '../Windows';
import { RoadView } from './RoadView';
import { releaseWords } from './format';
import { RcoRead } from './useRcoRead';

/**
 * The Release tab's road to production: the pipeline of environments for the release picked on
 * the tab, then its deployment windows. Absent when the client has no road route.
 */
export function RoadSection(props: {
  api: RcoApi;
  entityRef: CompoundEntityRef;
  release: { version?: string; digest?: string };
  environment?: string;
  environments: string[];
  capabilities?: CapabilitiesResponse;
  road: RcoRead<RoadResponse>;
  windows: RcoRead<DeployWindowView[]>;
}) {
  const { road, windows } = props;
  if (!road.supported) return null;
  return (
    <InfoCard
      title="Road to production"
      subheader={`Each environment in promotion order: what runs there, its soak, and what blocks ${releaseWords(
        props.release,
      )} from entering it.`}
    >
      <RoadView road={road.value} error={road.error} onRetry={road.reload} />
      {windows.supported && (
        <Box mt={3}>
          <WindowsPanel
            api={props.api}
            entityRef={props.entityRef}
            release={props.release}
            environments={props.environments}
            environment={props.environment}
            capabilities={props.capabilities}
            windows={windows.value}
            error={windows.error}
            onChanged={() => {
              windows.reload();
              road.reload();
            }}
          />
        </Box>
      )}
    </InfoCard>
  );
}
