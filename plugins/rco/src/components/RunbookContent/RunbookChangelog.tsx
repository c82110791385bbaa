import { InfoCard } from '@backstage/core-components';
import { Runbook } from '@helix-portal/plugin-rco-common';
import { List, ListItem, ListItemText, Typography } from '@material-ui/core';

/** The runbook's own changelog, newest first. */
export function RunbookChangelog(props: { runbook: Runbook }) {
  const entries = [...props.runbook.changelog].reverse();
  return (
    <InfoCard title="Changelog">
      <List dense aria-label="Changelog">
        {entries.map(entry => (
          <ListItem key={entry.version} alignItems="flex-start" divider>
            <ListItemText
              primary={`v${entry.version} · ${entry.date}`}
              secondary={
                <Typography
                  component="ul"
                  variant="body2"
                  style={{ paddingLeft: 16, margin: 0 }}
                >
                  {entry.changes.map(change => (
                    <li key={change}>{change}</li>
                  ))}
                </Typography>
              }
            />
          </ListItem>
        ))}
      </List>
    </InfoCard>
  );
}
