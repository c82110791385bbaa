import {
  Content,
  Header,
  Link,
  Page,
  ResponseErrorPanel,
  Table,
  TableColumn,
} from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import { GATE_IDS, PortfolioItem } from '@helix-portal/plugin-rco-common';
import { parseEntityRef } from '@backstage/catalog-model';
import {
  Box,
  Button,
  Chip,
  makeStyles,
  MenuItem,
  TextField,
} from '@material-ui/core';
import { memo, useMemo, useState } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { rcoApiRef } from '../../api/RcoApi';
import { StatusChip } from '../ReleaseContent/StatusChip';

const PAGE = 500;

type Row = PortfolioItem & { id: string };

// Static classes, not <Box>: every MUI v4 Box attaches a style sheet of its own; a page of 100
// services with their failing gates made hundreds (2.4 s main-thread tasks on a filter change).
const useStyles = makeStyles({
  gates: { display: 'flex', flexWrap: 'wrap', gap: 4 },
  gate: { display: 'flex', alignItems: 'center', gap: 4 },
});

/**
 * A service's gates that do not pass. Memoised on the gates array, which the table keeps when it
 * re-renders a row, so a filter or sort change does not re-render hundreds of chips.
 */
const NotPassing = memo(function NotPassingGates(props: {
  gates: PortfolioItem['gates'];
}) {
  const classes = useStyles();
  return (
    <div className={classes.gates}>
      {props.gates
        .filter(g => g.status !== 'pass')
        .map(g => (
          <span key={g.id} className={classes.gate}>
            <span>{g.id}</span>
            <StatusChip status={g.status} />
          </span>
        ))}
    </div>
  );
});

/** One labelled filter of the portfolio: a select with an "any" choice first. */
function FilterSelect(props: {
  id: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  any: string;
  options: readonly string[];
  minWidth: number;
}) {
  return (
    <TextField
      id={props.id}
      select
      label={props.label}
      value={props.value}
      onChange={e => props.onChange(e.target.value)}
      variant="outlined"
      size="small"
      style={{ minWidth: props.minWidth }}
    >
      <MenuItem value="">{props.any}</MenuItem>
      {props.options.map(o => (
        <MenuItem key={o} value={o}>
          {o}
        </MenuItem>
      ))}
    </TextField>
  );
}

/** Every governed service with its readiness, filterable by gate, status and owner. */
export function PortfolioPage() {
  const api = useApi(rcoApiRef);
  const [owner, setOwner] = useState('');
  const [gate, setGate] = useState('');
  const [status, setStatus] = useState('');
  // The backend pages by 500; the table pages and sorts what it has, so 1,000 rows stay light.
  // Each row carries an `id` (its entity ref): without one the table gives every row a fresh
  // key whenever the filtered data changes, and remounts the whole page of rows.
  const portfolio = useAsyncRetry(async () => {
    const items: Row[] = [];
    for (let offset = 0; ; offset += PAGE) {
      const page = await api.getPortfolio({ offset, limit: PAGE });
      items.push(...page.items.map(i => ({ ...i, id: i.entityRef })));
      if (items.length >= page.totalItems || page.items.length === 0)
        return items;
    }
  }, [api]);
  const owners = useMemo(
    () => [...new Set((portfolio.value ?? []).flatMap(i => i.owners))].sort(),
    [portfolio.value],
  );
  const rows = useMemo(
    () =>
      (portfolio.value ?? []).filter(
        i =>
          (!owner || i.owners.includes(owner)) &&
          (!gate && !status
            ? true
            : i.gates.some(
                g =>
                  (!gate || g.id === gate) && (!status || g.status === status),
              )),
      ),
    [portfolio.value, owner, gate, status],
  );

  // Stable columns: new render functions on every render make the table rebuild its column
  // state on each filter change.
  const columns = useMemo<TableColumn<Row>[]>(
    () => [
      {
        title: 'Service',
        field: 'title',
        render: i => {
          const ref = parseEntityRef(i.entityRef);
          return (
            <Link
              to={`/catalog/${ref.namespace}/${ref.kind}/${ref.name}/release`}
            >
              {i.title}
            </Link>
          );
        },
      },
      { title: 'Owner', field: 'owners', render: i => i.owners.join(', ') },
      {
        title: 'Release',
        render: i => (i.release.version ? `v${i.release.version}` : '—'),
        customSort: (a, b) =>
          (a.release.version ?? '').localeCompare(b.release.version ?? ''),
      },
      {
        title: 'Readiness',
        field: 'summary.passing',
        render: i => (
          <Chip
            size="small"
            label={
              i.summary.ready
                ? 'Ready'
                : `${i.summary.passing} of ${i.summary.total} pass`
            }
            color={i.summary.ready ? 'primary' : 'default'}
          />
        ),
      },
      {
        title: 'Not passing',
        sorting: false,
        render: i => <NotPassing gates={i.gates} />,
      },
    ],
    [],
  );

  return (
    <Page themeId="tool">
      <Header
        title="Release readiness"
        subtitle="Every governed service, gate by gate"
      />
      <Content>
        {portfolio.error ? (
          <Box>
            <ResponseErrorPanel error={portfolio.error} />
            <Button variant="outlined" onClick={portfolio.retry}>
              Try again
            </Button>
          </Box>
        ) : (
          <>
            <Box
              display="flex"
              style={{ gap: 16 }}
              mb={2}
              flexWrap="wrap"
              role="group"
              aria-label="Filter services"
            >
              <FilterSelect
                id="rco-portfolio-owner"
                label="Owner"
                value={owner}
                onChange={setOwner}
                any="All owners"
                options={owners}
                minWidth={220}
              />
              <FilterSelect
                id="rco-portfolio-gate"
                label="Gate"
                value={gate}
                onChange={setGate}
                any="Any gate"
                options={GATE_IDS}
                minWidth={220}
              />
              <FilterSelect
                id="rco-portfolio-status"
                label="Gate status"
                value={status}
                onChange={setStatus}
                any="Any status"
                options={['pass', 'fail', 'missing', 'stale', 'waived']}
                minWidth={160}
              />
            </Box>
            <Table
              title={`Governed services (${rows.length})`}
              isLoading={portfolio.loading}
              options={{
                paging: true,
                pageSize: 20,
                pageSizeOptions: [20, 50, 100],
                search: true,
                padding: 'dense',
                // No drag handles (a nameless tab stop around every header) and no blank
                // filler rows on a short last page.
                draggable: false,
                emptyRowsWhenPaging: false,
              }}
              columns={columns}
              data={rows}
            />
          </>
        )}
      </Content>
    </Page>
  );
}
