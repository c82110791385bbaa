import {
  InfoCard,
  Link,
  MarkdownContent,
  Table,
  TableColumn,
} from '@backstage/core-components';
import {
  GateChecklistItem,
  Runbook,
  RunbookSection,
} from '@helix-portal/plugin-rco-common';
import { Box, Typography, makeStyles } from '@material-ui/core';
import LinkIcon from '@material-ui/icons/Link';
import { useLocation } from 'react-router-dom';
import { useSectionFromHash } from './useSectionFromHash';

const useStyles = makeStyles(theme => ({
  section: {
    scrollMarginTop: theme.spacing(10),
    marginBottom: theme.spacing(3),
    // Focused by a deep link for screen readers; no ring for a focus no key moved.
    '&:focus:not(:focus-visible)': { outline: 'none' },
  },
  anchor: {
    marginLeft: theme.spacing(1),
    verticalAlign: 'middle',
    opacity: 0.6,
    '&:hover, &:focus': { opacity: 1 },
  },
}));

/** The DOM id of a section, used by the table of contents and by deep links. */
export const sectionAnchor = (id: string) => `section-${id}`;

const checklistColumns = (
  sections: RunbookSection[],
): TableColumn<GateChecklistItem & { n: number }>[] => [
  { title: '#', field: 'n', width: '4em' },
  { title: 'Checklist item', field: 'item' },
  { title: 'Verification method', field: 'verification' },
  {
    title: 'Described in',
    render: row => {
      const target = sections.find(s => s.id === row.section);
      return target ? (
        <Link to={`#${sectionAnchor(target.id)}`}>
          {target.number}. {target.title}
        </Link>
      ) : (
        row.section
      );
    },
  },
];

/** The runbook's Final Review Gate Checklist as a table. */
export function GateChecklistTable(props: { runbook: Runbook }) {
  const { runbook } = props;
  return (
    <Table
      title={`Final Review Gate Checklist (${runbook.gateChecklist.length} items)`}
      options={{ paging: false, search: false, padding: 'dense' }}
      columns={checklistColumns(runbook.sections)}
      data={runbook.gateChecklist.map((item, i) => ({ ...item, n: i + 1 }))}
    />
  );
}

/**
 * Every section of a runbook, in order, each rendered as sanitised markdown. A deep link
 * (`#section-…`) is followed here, once the sections exist, on a fresh load as on a click.
 */
export function RunbookSections(props: { runbook: Runbook }) {
  const classes = useStyles();
  const { runbook } = props;
  useSectionFromHash(useLocation().hash, true);
  const sections = [...runbook.sections].sort((a, b) => a.number - b.number);
  return (
    <>
      {sections.map(section => (
        <section
          key={section.id}
          id={sectionAnchor(section.id)}
          aria-labelledby={`${sectionAnchor(section.id)}-title`}
          tabIndex={-1}
          className={classes.section}
        >
          <InfoCard
            title={
              <Typography
                variant="h5"
                component="h2"
                id={`${sectionAnchor(section.id)}-title`}
              >
                {section.number}. {section.title}
                <Link
                  to={`#${sectionAnchor(section.id)}`}
                  aria-label={`Link to section ${section.number}, ${section.title}`}
                  className={classes.anchor}
                >
                  <LinkIcon fontSize="small" />
                </Link>
              </Typography>
            }
          >
            <MarkdownContent content={section.body} dialect="gfm" />
            {section.id === 'final-review-gate-checklist' &&
              runbook.gateChecklist.length > 0 && (
                <Box mt={2}>
                  <GateChecklistTable runbook={runbook} />
                </Box>
              )}
          </InfoCard>
        </section>
      ))}
    </>
  );
}
