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
import {
  blockedSentence,
  verdictIn,
  withGateTitles,
} from '../ReleaseContent/format';
import { environmentState } from '../ReleaseContent/EnvironmentChips';
import { StatusChip } from '../ReleaseContent/StatusChip';
import { DeploysOff } from '../Operations/DeploysOff';
import { RichText, When } from '../shared';

/**
 * Overview card: the newest release's verdict in words (by gate title, for the environment it
 * was judged in), its state in each environment, and the gates that block it.
 */
export function ReleaseOverviewCard() {
  const { entity } = useEntity();
  const api = useApi(rcoApiRef);
  const ref = getCompoundEntityRef(entity);
  // Judged in the first environment listed, as the Release tab judges it by default, so the
  // card and the tab say the same; in none when the portal knows no environment.
  const { value, loading, error } = useAsync(async () => {
    let environment: string | undefined;
    try {
      environment = (await api.listReleases(ref)).environments[0];
    } catch {
      environment = undefined;
    }
    return api.getStatus(ref, environment ? { environment } : {});
  }, [api, ref.kind, ref.namespace, ref.name]);
  // Only to say that deploys are off; the card shows the gates whatever this answers.
  const capabilities = useAsync(
    async () => api.getCapabilities(ref),
    [api, ref.kind, ref.namespace, ref.name],
  );
  const deploysOff =
    capabilities.value?.operations?.environmentsConfigured === false;
  const failing = value?.gates.filter(g => g.status !== 'pass') ?? [];
  const environments = value?.environments ?? [];
  return (
    <InfoCard
      title="Release readiness"
      subheader={
        value
          ? [
              // The environment judged in, when there is one ("Blocked in production").
              ...(value.release.environment
                ? [verdictIn(value.summary, value.release.environment)]
                : []),
              blockedSentence(value.summary, value.gates),
              `${value.summary.passing} of ${value.summary.total} gates pass`,
            ].join(' · ')
          : undefined
      }
      deepLink={{ title: 'Open the release console', link: 'release' }}
    >
      {loading && <Progress />}
      {error && <ResponseErrorPanel error={error} />}
      {value && environments.length > 0 && (
        <Typography variant="body2" gutterBottom>
          {value.release.version ? `v${value.release.version}` : 'This release'}{' '}
          in each environment:{' '}
          {environments
            .map(v => `${v.environment}: ${environmentState(v)}`)
            .join(' · ')}
        </Typography>
      )}
      {value && failing.length === 0 && (
        <Typography>All ten gates pass.</Typography>
      )}
      {value && failing.length > 0 && (
        <List dense aria-label="Gates not passing">
          {failing.map(g => (
            <ListItem key={g.id}>
              <ListItemText
                primary={<Link to={`release#gate-${g.id}`}>{g.title}</Link>}
                secondary={
                  g.reasons[0] ? (
                    <RichText text={withGateTitles(g.reasons[0])} />
                  ) : undefined
                }
              />
              <StatusChip status={g.status} />
            </ListItem>
          ))}
        </List>
      )}
      {value && (
        <Typography variant="caption" color="textSecondary">
          Judged <When iso={value.evaluatedAt} />
        </Typography>
      )}
      {deploysOff && (
        <Box mt={2}>
          <DeploysOff />
        </Box>
      )}
    </InfoCard>
  );
}
