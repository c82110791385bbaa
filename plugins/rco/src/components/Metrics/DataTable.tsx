import {
  Box,
  Button,
  makeStyles,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  Theme,
  Typography,
} from '@material-ui/core';
import { saveBlob } from '../PortfolioPage/saveBlob';
import { csvOf, TableData } from './csv';

/**
 * The caption of the console's tables: above the table, in the secondary text colour. One style
 * for every captioned table (metrics, overrides, gate policy), so they read alike.
 */
export const tableCaption = (theme: Theme) => ({
  captionSide: 'top' as const,
  color: theme.palette.text.secondary,
});

const useStyles = makeStyles(theme => ({
  caption: { ...tableCaption(theme), padding: theme.spacing(0.5, 0) },
  // Read by screen readers, out of sight (the chart above shows the same numbers).
  srOnly: {
    position: 'absolute',
    width: 1,
    height: 1,
    overflow: 'hidden',
    clip: 'rect(0 0 0 0)',
    whiteSpace: 'nowrap',
  },
  scroll: { overflowX: 'auto' },
}));

/** A table from its data: a caption, a head and rows of text, exactly what its CSV holds. */
export function DataTable(props: {
  name: string;
  data: TableData;
  /** Out of sight but read by screen readers (a chart's alternative while the chart shows). */
  hidden?: boolean;
}) {
  const classes = useStyles();
  const { data } = props;
  return (
    <div className={props.hidden ? classes.srOnly : classes.scroll}>
      <Table size="small" data-testid={`rco-chart-table-${props.name}`}>
        <caption className={classes.caption}>{data.caption}</caption>
        <TableHead>
          <TableRow>
            {data.head.map(h => (
              <TableCell key={h} component="th" scope="col">
                {h}
              </TableCell>
            ))}
          </TableRow>
        </TableHead>
        <TableBody>
          {data.body.map((row, i) => (
            <TableRow key={i}>
              {row.map((cell, j) => (
                <TableCell key={j}>{cell}</TableCell>
              ))}
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </div>
  );
}

/** Downloads the table as CSV, built in the browser from the same data the table shows. */
export function CsvButton(props: { data: TableData; filename: string }) {
  return (
    <Button
      size="small"
      variant="outlined"
      disabled={!props.data.body.length}
      onClick={() =>
        saveBlob(
          // The UTF-8 byte order mark: Excel reads a CSV without one in the local code page
          // and garbles "—" and non-ASCII names.
          new Blob(['\uFEFF', csvOf(props.data)], {
            type: 'text/csv;charset=utf-8',
          }),
          props.filename,
        )
      }
      aria-label={`Download CSV: ${props.data.caption}`}
    >
      Download CSV
    </Button>
  );
}

/** A table that is the view itself (no chart): heading, the table and its CSV. */
export function TableSection(props: {
  name: string;
  title: string;
  data: TableData;
  empty: string;
}) {
  const titleId = `rco-table-${props.name}-title`;
  return (
    <Box
      component="section"
      aria-labelledby={titleId}
      data-testid={`rco-chart-${props.name}`}
      mb={3}
    >
      <Box display="flex" alignItems="center" style={{ gap: 16 }}>
        <Typography variant="h6" component="h3" id={titleId}>
          {props.title}
        </Typography>
        <CsvButton data={props.data} filename={`rco-${props.name}.csv`} />
      </Box>
      {props.data.body.length ? (
        <DataTable name={props.name} data={props.data} />
      ) : (
        <Typography variant="body2" color="textSecondary">
          {props.empty}
        </Typography>
      )}
    </Box>
  );
}
