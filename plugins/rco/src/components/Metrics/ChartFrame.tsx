import { Box, Button, Typography } from '@material-ui/core';
import { ReactNode, useState } from 'react';
import { TableData } from './csv';
import { CsvButton, DataTable } from './DataTable';

/**
 * A chart with its table alternative and its CSV. The chart is one image to assistive
 * technology (role img, named by `summary`); its numbers are in the table, which screen readers
 * always get and anyone can show, and the CSV holds exactly the table's rows.
 */
export function ChartFrame(props: {
  /** Names the test ids (rco-chart-<name>, rco-chart-table-<name>) and the CSV file. */
  name: string;
  title: string;
  /** What the chart shows, in a sentence: the image's accessible name. */
  summary: string;
  table: TableData;
  /** Shown instead of the chart when there is nothing to draw. */
  empty?: string;
  children: ReactNode;
}) {
  const [shown, setShown] = useState(false);
  const titleId = `rco-chart-${props.name}-title`;
  const isEmpty = !props.table.body.length;
  return (
    <Box
      component="section"
      aria-labelledby={titleId}
      data-testid={`rco-chart-${props.name}`}
      mb={3}
    >
      <Typography variant="h6" component="h3" id={titleId} gutterBottom>
        {props.title}
      </Typography>
      {isEmpty ? (
        <Typography variant="body2" color="textSecondary">
          {props.empty ?? 'Nothing to show in this period.'}
        </Typography>
      ) : (
        <div role="img" aria-label={props.summary}>
          {props.children}
        </div>
      )}
      <Box display="flex" style={{ gap: 8 }} mt={1} mb={1}>
        <Button
          size="small"
          onClick={() => setShown(s => !s)}
          aria-expanded={shown}
          disabled={isEmpty}
        >
          {shown ? 'Hide table' : 'Show table'}
        </Button>
        <CsvButton data={props.table} filename={`rco-${props.name}.csv`} />
      </Box>
      <DataTable name={props.name} data={props.table} hidden={!shown} />
    </Box>
  );
}
