import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import { CompoundEntityRef } from '@backstage/catalog-model';
import {
  RunbookDiffLine,
  RunbookVersionSummary,
} from '@helix-portal/plugin-rco-common';
import { Box, Chip, Typography, makeStyles } from '@material-ui/core';
import useAsync from 'react-use/esm/useAsync';
import { rcoApiRef } from '../../api/RcoApi';
import { VersionPicker } from './RunbookHeader';

const useStyles = makeStyles(theme => ({
  diff: {
    fontFamily: 'monospace',
    fontSize: '0.85rem',
    whiteSpace: 'pre-wrap',
    wordBreak: 'break-word',
    margin: 0,
    padding: theme.spacing(1),
    backgroundColor: theme.palette.background.default,
    borderRadius: theme.shape.borderRadius,
    maxHeight: 480,
    overflow: 'auto',
  },
  added: {
    backgroundColor:
      theme.palette.type === 'dark' ? 'rgba(46,160,67,0.25)' : '#e6ffec',
  },
  removed: {
    backgroundColor:
      theme.palette.type === 'dark' ? 'rgba(248,81,73,0.25)' : '#ffebe9',
    textDecoration: 'line-through',
  },
}));

// A + or − prefix carries the meaning, so colour is never the only signal.
const PREFIX: Record<RunbookDiffLine['type'], string> = {
  added: '+ ',
  removed: '− ',
  unchanged: '  ',
};

function DiffLines(props: { lines: RunbookDiffLine[] }) {
  const classes = useStyles();
  return (
    <pre className={classes.diff}>
      {props.lines.map((line, i) => (
        <div
          key={i}
          className={line.type === 'unchanged' ? undefined : classes[line.type]}
        >
          {PREFIX[line.type]}
          {line.text}
        </div>
      ))}
    </pre>
  );
}

/** Side-by-side choice of two versions and what changed between them. */
export function RunbookCompare(props: {
  entityRef: CompoundEntityRef;
  versions: RunbookVersionSummary[];
  from: string;
  to: string;
  onChange: (from: string, to: string) => void;
}) {
  const api = useApi(rcoApiRef);
  const { entityRef, versions, from, to, onChange } = props;
  const {
    value: diff,
    loading,
    error,
  } = useAsync(
    () => api.diffRunbookVersions(entityRef, from, to),
    [api, entityRef.kind, entityRef.namespace, entityRef.name, from, to],
  );

  return (
    <InfoCard title="Compare versions">
      <Box display="flex" style={{ gap: 16 }} mb={2} alignItems="center">
        <VersionPicker
          id="rco-compare-from"
          label="From"
          versions={versions}
          value={from}
          onChange={v => onChange(v, to)}
        />
        <Typography aria-hidden>→</Typography>
        <VersionPicker
          id="rco-compare-to"
          label="To"
          versions={versions}
          value={to}
          onChange={v => onChange(from, v)}
        />
      </Box>
      {loading && <Progress />}
      {error && <ResponseErrorPanel error={error} />}
      {diff && (
        <Box>
          <Box display="flex" style={{ gap: 8 }} mb={2} flexWrap="wrap">
            <Chip label={`${diff.changed.length} sections changed`} />
            <Chip label={`${diff.added.length} added`} />
            <Chip label={`${diff.removed.length} removed`} />
            <Chip variant="outlined" label={`${diff.unchanged} unchanged`} />
          </Box>
          {diff.fields.length > 0 && (
            <Box mb={2}>
              <Typography variant="h6" component="h3">
                Key fields
              </Typography>
              <ul>
                {diff.fields.map(f => (
                  <li key={f.field}>
                    <code>{f.field}</code>: {f.from} → {f.to}
                  </li>
                ))}
              </ul>
            </Box>
          )}
          {diff.added.length > 0 && (
            <Box mb={2}>
              <Typography variant="h6" component="h3">
                Sections added
              </Typography>
              <ul>
                {diff.added.map(s => (
                  <li key={s.id}>
                    {s.number}. {s.title}
                  </li>
                ))}
              </ul>
            </Box>
          )}
          {diff.removed.length > 0 && (
            <Box mb={2}>
              <Typography variant="h6" component="h3">
                Sections removed
              </Typography>
              <ul>
                {diff.removed.map(s => (
                  <li key={s.id}>
                    {s.number}. {s.title}
                  </li>
                ))}
              </ul>
            </Box>
          )}
          {diff.changed.map(section => (
            <Box
              key={section.id}
              mb={2}
              component="section"
              aria-label={`Changes in ${section.title}`}
            >
              <Typography variant="h6" component="h3">
                {section.number}. {section.title}
                {section.previousTitle && ` (was “${section.previousTitle}”)`}
              </Typography>
              <DiffLines lines={section.lines} />
            </Box>
          ))}
          {diff.changed.length + diff.added.length + diff.removed.length ===
            0 && (
            <Typography>The two versions have identical sections.</Typography>
          )}
        </Box>
      )}
    </InfoCard>
  );
}
