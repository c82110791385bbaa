import { CompoundEntityRef } from '@backstage/catalog-model';
import {
  CapabilitiesResponse,
  DeployWindowView,
} from '@helix-portal/plugin-rco-common';
import { Box, Button, Typography } from '@material-ui/core';
import { useState } from 'react';
import { RcoApi } from '../../api/RcoApi';
import { refusalOf } from '../shared';
import { ProposeWindowDialog } from './ProposeWindowDialog';
import { WindowCard } from './WindowCard';

/**
 * Deployment windows of the entity: the proposed and accepted ones with their acceptances per
 * role, Accept and Cancel, and (for owners) Propose. Cancelled and expired windows are counted,
 * not listed.
 */
export function WindowsPanel(props: {
  api: RcoApi;
  entityRef: CompoundEntityRef;
  release: { version?: string; digest?: string };
  environments: string[];
  environment?: string;
  capabilities?: CapabilitiesResponse;
  windows?: DeployWindowView[];
  error?: Error;
  /** A window was proposed, accepted or cancelled: re-read the windows and the road. */
  onChanged: () => void;
}) {
  const { api } = props;
  const [proposing, setProposing] = useState(false);
  const all = props.windows ?? [];
  const live = all
    .filter(w => w.state === 'proposed' || w.state === 'accepted')
    .sort((a, b) => a.start.localeCompare(b.start));
  const past = all.length - live.length;
  const mayPropose =
    !!props.capabilities?.operations?.deploy && !!api.proposeWindow;
  const act = (fn: () => Promise<unknown>) => async () => {
    try {
      await fn();
    } finally {
      // Accepted or refused (someone else accepted first, say): show what holds now.
      props.onChanged();
    }
  };
  return (
    <Box component="section" aria-labelledby="rco-windows-heading">
      <Box display="flex" alignItems="center" style={{ gap: 12 }} mb={1}>
        <Typography variant="h6" component="h3" id="rco-windows-heading">
          Deployment windows
        </Typography>
        {mayPropose && (
          <Button
            variant="outlined"
            size="small"
            onClick={() => setProposing(true)}
            disabled={!props.release.version && !props.release.digest}
          >
            Propose a window
          </Button>
        )}
      </Box>
      {props.error && (
        <Typography variant="caption" color="textSecondary" role="status">
          Could not read the windows: {refusalOf(props.error)}
        </Typography>
      )}
      {props.windows && live.length === 0 && (
        <Typography variant="body2">
          No window is proposed or accepted.
          {mayPropose
            ? ' Propose one so the sign-off roles can accept it.'
            : ''}
        </Typography>
      )}
      <Box display="flex" flexDirection="column" style={{ gap: 8 }}>
        {live.map(w => (
          <WindowCard
            key={w.id}
            window={w}
            capabilities={props.capabilities}
            onAccept={win => act(() => api.acceptWindow!(win.id))()}
            onCancel={win => act(() => api.cancelWindow!(win.id))()}
          />
        ))}
      </Box>
      {past > 0 && (
        <Typography variant="caption" color="textSecondary">
          {past} cancelled or expired {past === 1 ? 'window' : 'windows'} not
          shown.
        </Typography>
      )}
      {proposing && (
        <ProposeWindowDialog
          api={api}
          entityRef={props.entityRef}
          release={props.release}
          environments={props.environments}
          environment={props.environment}
          onClose={created => {
            setProposing(false);
            if (created) props.onChanged();
          }}
        />
      )}
    </Box>
  );
}
