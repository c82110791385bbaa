import { Runbook } from '@helix-portal/plugin-rco-common';
import {
  List,
  ListItem,
  ListItemText,
  ListSubheader,
  Paper,
  makeStyles,
} from '@material-ui/core';
import { sectionAnchor } from './RunbookSections';

const useStyles = makeStyles(theme => ({
  toc: {
    position: 'sticky',
    top: theme.spacing(2),
    maxHeight: `calc(100vh - ${theme.spacing(4)}px)`,
    overflowY: 'auto',
  },
}));

/** Table of contents: one link per section, in order. */
export function RunbookToc(props: { runbook: Runbook; active?: string }) {
  const classes = useStyles();
  const sections = [...props.runbook.sections].sort(
    (a, b) => a.number - b.number,
  );
  return (
    <Paper
      className={classes.toc}
      component="nav"
      aria-label="Runbook sections"
    >
      <List dense subheader={<ListSubheader>Contents</ListSubheader>}>
        {sections.map(section => (
          <ListItem
            key={section.id}
            button
            component="a"
            href={`#${sectionAnchor(section.id)}`}
            selected={props.active === section.id}
          >
            <ListItemText primary={`${section.number}. ${section.title}`} />
          </ListItem>
        ))}
      </List>
    </Paper>
  );
}
