import {
  TimelineEvent,
  TimelineEventType,
  TimelineResponse,
} from '@helix-portal/plugin-rco-common';
import { Box, Button, Chip, makeStyles, Typography } from '@material-ui/core';
import AssignmentTurnedIn from '@material-ui/icons/AssignmentTurnedIn';
import CloudUpload from '@material-ui/icons/CloudUpload';
import Description from '@material-ui/icons/Description';
import Event from '@material-ui/icons/Event';
import HowToReg from '@material-ui/icons/HowToReg';
import MenuBook from '@material-ui/icons/MenuBook';
import PauseCircleOutline from '@material-ui/icons/PauseCircleOutline';
import RateReview from '@material-ui/icons/RateReview';
import Send from '@material-ui/icons/Send';
import TrendingUp from '@material-ui/icons/TrendingUp';
import Warning from '@material-ui/icons/Warning';
import { useState } from 'react';
import { RcoApi } from '../../api/RcoApi';
import { localTime, Person, refusalOf, RichText, When } from '../shared';
import { RecordDialog } from './RecordDialog';

const TYPE: Record<TimelineEventType, { label: string; icon: typeof Event }> = {
  evidence: { label: 'Evidence', icon: Description },
  gate: { label: 'Gate', icon: AssignmentTurnedIn },
  signoff: { label: 'Sign-off', icon: HowToReg },
  waiver: { label: 'Waiver', icon: PauseCircleOutline },
  override: { label: 'Break-glass', icon: Warning },
  window: { label: 'Window', icon: Event },
  operation: { label: 'Operation', icon: CloudUpload },
  'canary-step': { label: 'Canary step', icon: TrendingUp },
  review: { label: 'Review', icon: RateReview },
  runbook: { label: 'Runbook', icon: MenuBook },
  request: { label: 'Request', icon: Send },
  other: { label: 'Other', icon: Event },
};

const useStyles = makeStyles(theme => ({
  list: { listStyle: 'none', margin: 0, padding: 0 },
  event: {
    display: 'grid',
    gridTemplateColumns:
      'minmax(150px, max-content) minmax(120px, max-content) 1fr',
    gap: theme.spacing(1.5),
    alignItems: 'baseline',
    padding: theme.spacing(1, 0),
    borderBottom: `1px solid ${theme.palette.divider}`,
  },
  icon: { color: 'inherit' },
}));

/** Oldest first; events at the same instant keep the backend's order (ledger order). */
export function inOrder(events: TimelineEvent[]): TimelineEvent[] {
  return events
    .map((e, i) => ({ e, i }))
    .sort((a, b) => a.e.at.localeCompare(b.e.at) || a.i - b.i)
    .map(({ e }) => e);
}

/**
 * A release's whole story from the ledger, oldest first: each event's time, its type as an icon
 * and a word, what happened, who, and a link to its record (evidence opens the evidence drawer;
 * other records open as their JSON).
 */
export function ReleaseTimeline(props: {
  api: RcoApi;
  timeline?: TimelineResponse;
  error?: Error;
  onOpenEvidence?: (id: string) => void;
}) {
  const classes = useStyles();
  const [record, setRecord] = useState<{ title: string; href: string }>();
  const { api, timeline } = props;
  if (!timeline) {
    return props.error ? (
      <Typography variant="body2" role="status">
        The timeline could not be read: {refusalOf(props.error)}
      </Typography>
    ) : (
      <Typography variant="body2">Reading the timeline…</Typography>
    );
  }
  const events = inOrder(timeline.events);
  if (!events.length) {
    return (
      <Typography variant="body2">
        Nothing recorded for this release yet.
      </Typography>
    );
  }
  return (
    <>
      <ol className={classes.list} aria-label="Release timeline">
        {events.map((e, i) => {
          const { label, icon: Icon } = TYPE[e.type] ?? {
            label: e.type,
            icon: Event,
          };
          const link = e.link;
          const evidence =
            link?.kind === 'evidence' && props.onOpenEvidence
              ? link.id
              : undefined;
          return (
            <li
              key={`${e.ledgerSeq ?? ''}|${e.at}|${i}`}
              className={classes.event}
            >
              <Typography variant="body2" component="span">
                <time dateTime={e.at}>{localTime(e.at)}</time>
                <br />
                <Typography
                  variant="caption"
                  color="textSecondary"
                  component="span"
                >
                  <When iso={e.at} />
                </Typography>
              </Typography>
              <span>
                <Chip
                  size="small"
                  variant="outlined"
                  icon={<Icon className={classes.icon} aria-hidden />}
                  label={label}
                />
              </span>
              <Box>
                <Typography variant="body2">
                  <RichText text={e.title} />
                </Typography>
                {e.detail && (
                  <Typography variant="body2" color="textSecondary">
                    <RichText text={e.detail} />
                  </Typography>
                )}
                <Typography variant="caption" color="textSecondary">
                  {e.actor && (
                    <>
                      By <Person actor={e.actor} />
                    </>
                  )}
                  {e.actor && e.ledgerSeq !== undefined && ' · '}
                  {e.ledgerSeq !== undefined && `Ledger entry ${e.ledgerSeq}`}
                </Typography>
                {evidence && (
                  <Box>
                    <Button
                      size="small"
                      color="primary"
                      onClick={() => props.onOpenEvidence!(evidence)}
                      aria-label={`Open the evidence of: ${e.title}`}
                    >
                      Open evidence
                    </Button>
                  </Box>
                )}
                {!evidence && link?.href && api.getRecord && (
                  <Box>
                    <Button
                      size="small"
                      color="primary"
                      onClick={() =>
                        setRecord({
                          title: `${label}: ${e.title}`,
                          href: link.href!,
                        })
                      }
                      aria-label={`Open the record of: ${e.title}`}
                    >
                      Open record
                    </Button>
                  </Box>
                )}
              </Box>
            </li>
          );
        })}
      </ol>
      {record && (
        <RecordDialog
          api={api}
          title={record.title}
          href={record.href}
          onClose={() => setRecord(undefined)}
        />
      )}
    </>
  );
}
