import { InfoCard, Link } from '@backstage/core-components';
import { PillarResult } from '@helix-portal/plugin-rco-common';
import {
  Grid,
  List,
  makeStyles,
  ListItem,
  ListItemIcon,
  ListItemText,
} from '@material-ui/core';
import CheckCircle from '@material-ui/icons/CheckCircle';
import Cancel from '@material-ui/icons/Cancel';
import { RichText } from '../shared';
import { countOf } from '../shared/words';
import { gateTitles, withGateTitles } from './format';

// Icons need 3:1 against the card (WCAG 1.4.11): the darker shade on light paper, the lighter
// one on dark paper; the word next to each icon says the same thing.
const useStyles = makeStyles(theme => {
  const shade = theme.palette.type === 'dark' ? 'light' : 'dark';
  return {
    met: { color: theme.palette.success[shade] },
    unmet: { color: theme.palette.error[shade] },
    // The theme clips list text to one line with an ellipsis; requirements must be read whole.
    text: { whiteSpace: 'normal', overflowWrap: 'anywhere' },
  };
});

/** The seven Helix Core Ethos pillars, each with its requirements met or not and why. */
export function PillarCards(props: { pillars: PillarResult[] }) {
  const classes = useStyles();
  return (
    <Grid container spacing={2}>
      {props.pillars.map(pillar => (
        <Grid item xs={12} md={6} key={pillar.id}>
          <InfoCard
            title={pillar.title}
            subheader={
              pillar.met
                ? `All ${pillar.requirements.length} requirements met`
                : countOf(
                    pillar.requirements.filter(r => !r.met).length,
                    pillar.requirements.length,
                    'requirements',
                    'unmet',
                  )
            }
          >
            <List dense aria-label={`${pillar.title} requirements`}>
              {pillar.requirements.map(req => (
                <ListItem key={req.requirement}>
                  <ListItemIcon>
                    {req.met ? (
                      <CheckCircle className={classes.met} titleAccess="met" />
                    ) : (
                      <Cancel className={classes.unmet} titleAccess="not met" />
                    )}
                  </ListItemIcon>
                  <ListItemText
                    className={classes.text}
                    primary={`${req.met ? 'Met' : 'Not met'}: ${
                      req.requirement
                    }`}
                    secondary={
                      <>
                        <RichText text={withGateTitles(req.basis)} />
                        {req.gates.map(g => (
                          <span key={g}>
                            {' · '}
                            <Link to={`#gate-${g}`}>{gateTitles([g])[0]}</Link>
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
