import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import { CompoundEntityRef } from '@backstage/catalog-model';
import {
  RunbookDiffLine,
  RunbookDiffResponse,
  RunbookVersionSummary,
} from '@helix-portal/plugin-rco-common';
import {
  Box,
  Chip,
  Grid,
  List,
  ListItem,
  ListItemText,
  ListSubheader,
  Paper,
  Typography,
  makeStyles,
} from '@material-ui/core';
import { useLocation } from 'react-router-dom';
import useAsync from 'react-use/esm/useAsync';
import { rcoApiRef } from '../../api/RcoApi';
import { plural } from '../shared';
import { VersionPicker } from './RunbookHeader';
import { useSectionFromHash } from './useSectionFromHash';
import { DiffBlock, diffBlocks } from './wordDiff';

const useStyles = makeStyles(theme => {
  const dark = theme.palette.type === 'dark';
  return {
    // One flowing block per section: no scroll box of its own inside the page's scroll.
    diff: {
      fontFamily: 'monospace',
      fontSize: '0.85rem',
      whiteSpace: 'pre-wrap',
      wordBreak: 'break-word',
      margin: 0,
      padding: theme.spacing(1),
      backgroundColor: theme.palette.background.default,
      borderRadius: theme.shape.borderRadius,
    },
    gap: { color: theme.palette.text.secondary, fontStyle: 'italic' },
    added: { backgroundColor: dark ? 'rgba(46,160,67,0.25)' : '#e6ffec' },
    removed: {
      backgroundColor: dark ? 'rgba(248,81,73,0.25)' : '#ffebe9',
      textDecoration: 'line-through',
    },
    // Inline words: underlined when added, struck through when removed, so colour is never the
    // only signal; a hidden word says it to screen readers.
    ins: {
      backgroundColor: dark ? 'rgba(46,160,67,0.45)' : '#abf2bc',
      textDecoration: 'underline',
    },
    del: {
      backgroundColor: dark ? 'rgba(248,81,73,0.45)' : '#ffc1c0',
      textDecoration: 'line-through',
    },
    hidden: {
      position: 'absolute',
      width: 1,
      height: 1,
      overflow: 'hidden',
      clip: 'rect(0 0 0 0)',
      whiteSpace: 'nowrap',
    },
    target: {
      scrollMarginTop: theme.spacing(10),
      '&:focus:not(:focus-visible)': { outline: 'none' },
    },
    toc: {
      position: 'sticky',
      top: theme.spacing(2),
      maxHeight: `calc(100vh - ${theme.spacing(4)}px)`,
      overflowY: 'auto',
    },
  };
});

/** The DOM id of a section in the compare view (deep links: `#compare-glossary`). */
export const compareAnchor = (id: string) => `compare-${id}`;

// A + or − sign carries the meaning of a whole line, so colour is never the only signal.
const SIGN = { added: '+ ', removed: '− ' };

function Block(props: { block: DiffBlock }) {
  const classes = useStyles();
  const { block } = props;
  switch (block.kind) {
    case 'context':
      return <div>{`  ${block.text}`}</div>;
    case 'gap':
      return (
        <div className={classes.gap}>{`  … ${plural(
          block.lines,
          'unchanged line',
        )}`}</div>
      );
    case 'lines':
      return (
        <>
          {block.lines.map((line, i) => (
            <div key={i} className={classes[block.type]}>
              {SIGN[block.type]}
              {line}
            </div>
          ))}
        </>
      );
    default:
      return (
        <div>
          {'± '}
          {block.parts.map((part, i) => {
            if (part.type === 'added')
              return (
                <ins key={i} className={classes.ins}>
                  <span className={classes.hidden}>added: </span>
                  {part.text}
                </ins>
              );
            if (part.type === 'removed')
              return (
                <del key={i} className={classes.del}>
                  <span className={classes.hidden}>removed: </span>
                  {part.text}
                </del>
              );
            return <span key={i}>{part.text}</span>;
          })}
        </div>
      );
  }
}

/** What changed in one section: changed words inline, two lines of context, the rest folded. */
export function DiffLines(props: { lines: RunbookDiffLine[] }) {
  const classes = useStyles();
  return (
    <div className={classes.diff}>
      {diffBlocks(props.lines).map((block, i) => (
        <Block key={i} block={block} />
      ))}
    </div>
  );
}

/** The compare view's table of contents: one link per changed, added or removed section. */
function CompareToc(props: { diff: RunbookDiffResponse }) {
  const classes = useStyles();
  const { diff } = props;
  const entries = [
    ...(diff.fields.length ? [{ id: 'fields', label: 'Key fields' }] : []),
    ...diff.changed.map(s => ({
      id: s.id,
      label: `${s.number}. ${s.title}`,
    })),
    ...(diff.added.length ? [{ id: 'added', label: 'Sections added' }] : []),
    ...(diff.removed.length
      ? [{ id: 'removed', label: 'Sections removed' }]
      : []),
  ];
  return (
    <Paper className={classes.toc} component="nav" aria-label="Changes">
      <List dense subheader={<ListSubheader>Changes</ListSubheader>}>
        {entries.map(e => (
          <ListItem
            key={e.id}
            button
            component="a"
            href={`#${compareAnchor(e.id)}`}
          >
            <ListItemText primary={e.label} />
          </ListItem>
        ))}
      </List>
    </Paper>
  );
}

/** A titled part of the compare view that the table of contents and deep links reach. */
function Part(props: { id: string; title: string; children: React.ReactNode }) {
  const classes = useStyles();
  return (
    <Box
      mb={3}
      component="section"
      id={compareAnchor(props.id)}
      tabIndex={-1}
      aria-label={props.title}
      className={classes.target}
    >
      {props.children}
    </Box>
  );
}

function SectionList(props: { sections: RunbookDiffResponse['added'] }) {
  return (
    <ul>
      {props.sections.map(s => (
        <li key={s.id}>
          {s.number}. {s.title}
        </li>
      ))}
    </ul>
  );
}

/** A choice of two versions and what changed between them, section by section. */
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
  useSectionFromHash(useLocation().hash, !!diff);

  const pickers = (
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
  );

  return (
    <Grid container spacing={3}>
      <Grid item xs={12} md={3}>
        {diff && <CompareToc diff={diff} />}
      </Grid>
      <Grid item xs={12} md={9}>
        <InfoCard title="Compare versions">
          {pickers}
          {loading && <Progress />}
          {error && <ResponseErrorPanel error={error} />}
          {diff && (
            <Box>
              <Box display="flex" style={{ gap: 8 }} mb={2} flexWrap="wrap">
                <Chip
                  label={`${plural(diff.changed.length, 'section')} changed`}
                />
                <Chip label={`${diff.added.length} added`} />
                <Chip label={`${diff.removed.length} removed`} />
                <Chip
                  variant="outlined"
                  label={`${diff.unchanged} unchanged`}
                />
              </Box>
              {diff.fields.length > 0 && (
                <Part id="fields" title="Key fields">
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
                </Part>
              )}
              {diff.changed.map(section => (
                <Part
                  key={section.id}
                  id={section.id}
                  title={`Changes in ${section.title}`}
                >
                  <Typography variant="h6" component="h3">
                    {section.number}. {section.title}
                    {section.previousTitle &&
                      ` (was “${section.previousTitle}”)`}
                  </Typography>
                  <DiffLines lines={section.lines} />
                </Part>
              ))}
              {diff.added.length > 0 && (
                <Part id="added" title="Sections added">
                  <Typography variant="h6" component="h3">
                    Sections added
                  </Typography>
                  <SectionList sections={diff.added} />
                </Part>
              )}
              {diff.removed.length > 0 && (
                <Part id="removed" title="Sections removed">
                  <Typography variant="h6" component="h3">
                    Sections removed
                  </Typography>
                  <SectionList sections={diff.removed} />
                </Part>
              )}
              {diff.changed.length + diff.added.length + diff.removed.length ===
                0 && (
                <Typography>
                  The two versions have identical sections.
                </Typography>
              )}
            </Box>
          )}
        </InfoCard>
      </Grid>
    </Grid>
  );
}
