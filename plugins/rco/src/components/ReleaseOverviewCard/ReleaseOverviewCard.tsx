import {
  InfoCard,
  Link,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import { getCompoundEntityRef } from '@backstage/catalog-model';
import { useEntity } from '@backstage/plugin-catalog-react';
import {
  Box,
  List,
  ListItem,
  ListItemText,
  Typography,
} from '@material-ui/core';
import useAsync from 'react-use/esm/useAsync';
import { rcoApiRef } from '../../api/RcoApi';
import { verdictOf } from '../ReleaseContent';
import { StatusChip } from '../ReleaseContent/StatusChip';
import { DeploysOff } from '../Operations/DeploysOff';

/** Overview card: the newest release's verdict and the gates that block it. */
export function ReleaseOverviewCard() {
  const { entity } = useEntity();
  const api = useApi(rcoApiRef);
  const ref = getCompoundEntityRef(entity);
  const { value, loading, error } = useAsync(
    () => api.getStatus(ref, {}),
    [api, ref.kind, ref.namespace, ref.name],
  );
  // Only to say that deploys are off; the card shows the gates whatever this answers.
  const capabilities = useAsync(
    async () => api.getCapabilities(ref),
    [api, ref.kind, ref.namespace, ref.name],
  );
  const deploysOff =
    capabilities.value?.operations?.environmentsConfigured === false;
  const failing = value?.gates.filter(g => g.status !== 'pass') ?? [];
  return (
    <InfoCard
      title="Release readiness"
      subheader={
        value
          ? `${verdictOf(value.summary)} · ${value.summary.text}`
          : undefined
      }
      deepLink={{ title: 'Open the release console', link: 'release' }}
    >
      {loading && <Progress />}
      {error && <ResponseErrorPanel error={error} />}
      {value && failing.length === 0 && (
        <Typography>All ten gates pass.</Typography>
      )}
      {value && failing.length > 0 && (
        <List dense aria-label="Gates not passing">
          {failing.map(g => (
            <ListItem key={g.id}>
              <ListItemText
                primary={<Link to={`release#gate-${g.id}`}>{g.title}</Link>}
                secondary={g.reasons[0]}
              />
              <StatusChip status={g.status} />
            </ListItem>
          ))}
        </List>
      )}
      {deploysOff && (
        <Box mt={2}>
          <DeploysOff />
        </Box>
      )}
    </InfoCard>
  );
}
