import { InfoCard, Link } from '@backstage/core-components';
import { PillarResult } from '@internal/plugin-rco-common';
import {
  Grid,
  List,
  ListItem,
  ListItemIcon,
  ListItemText,
} from '@material-ui/core';
import CheckCircle from '@material-ui/icons/CheckCircle';
import Cancel from '@material-ui/icons/Cancel';

/** The seven Helix Core Ethos pillars, each with its requirements met or not and why. */
export function PillarCards(props: { pillars: PillarResult[] }) {
  return (
    <Grid container spacing={2}>
      {props.pillars.map(pillar => (
        <Grid item xs={12} md={6} key={pillar.id}>
          <InfoCard
            title={pillar.title}
            subheader={
              pillar.met
                ? 'All requirements met'
                : `${
                    pillar.requirements.filter(r => !r.met).length
                  } requirements unmet`
            }
          >
            <List dense aria-label={`${pillar.title} requirements`}>
              {pillar.requirements.map(req => (
                <ListItem key={req.requirement}>
                  <ListItemIcon>
                    {req.met ? (
                      <CheckCircle
                        style={{ color: '#2e7d32' }}
                        titleAccess="met"
                      />
                    ) : (
                      <Cancel color="error" titleAccess="not met" />
                    )}
                  </ListItemIcon>
                  <ListItemText
                    primary={`${req.met ? 'Met' : 'Not met'}: ${
                      req.requirement
                    }`}
                    secondary={
                      <>
                        {req.basis}
                        {req.gates.map(g => (
                          <span key={g}>
                            {' · '}
                            <Link to={`#gate-${g}`}>{g}</Link>
                          </span>
                        ))}
                      </>
                    }
                  />
                </ListItem>
              ))}
            </List>
          </InfoCard>
        </Grid>
      ))}
    </Grid>
  );
}
