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
import { GATE_IDS, PortfolioItem } from '@internal/plugin-rco-common';
import { parseEntityRef } from '@backstage/catalog-model';
import { Box, Button, Chip, MenuItem, TextField } from '@material-ui/core';
import { useMemo, useState } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { rcoApiRef } from '../../api/RcoApi';
import { StatusChip } from '../ReleaseContent/StatusChip';

const PAGE = 500;

/** Every governed service with its readiness, filterable by gate, status and owner. */
export function PortfolioPage() {
  const api = useApi(rcoApiRef);
  const [owner, setOwner] = useState('');
  const [gate, setGate] = useState('');
  const [status, setStatus] = useState('');
  // The backend pages by 500; the table pages and sorts what it has, so 1,000 rows stay light.
  const portfolio = useAsyncRetry(async () => {
    const items: PortfolioItem[] = [];
    for (let offset = 0; ; offset += PAGE) {
      const page = await api.getPortfolio({ offset, limit: PAGE });
      items.push(...page.items);
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

  const columns: TableColumn<PortfolioItem>[] = [
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
      render: i => (
        <Box display="flex" flexWrap="wrap" style={{ gap: 4 }}>
          {i.gates
            .filter(g => g.status !== 'pass')
            .map(g => (
              <Box
                key={g.id}
                display="flex"
                alignItems="center"
                style={{ gap: 4 }}
              >
                <span>{g.id}</span>
                <StatusChip status={g.status} />
              </Box>
            ))}
        </Box>
      ),
    },
  ];

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
            <Box display="flex" style={{ gap: 16 }} mb={2} flexWrap="wrap">
              <TextField
                id="rco-portfolio-owner"
                select
                label="Owner"
                value={owner}
                onChange={e => setOwner(e.target.value)}
                variant="outlined"
                size="small"
                style={{ minWidth: 220 }}
              >
                <MenuItem value="">All owners</MenuItem>
                {owners.map(o => (
                  <MenuItem key={o} value={o}>
                    {o}
                  </MenuItem>
                ))}
              </TextField>
              <TextField
                id="rco-portfolio-gate"
                select
                label="Gate"
                value={gate}
                onChange={e => setGate(e.target.value)}
                variant="outlined"
                size="small"
                style={{ minWidth: 220 }}
              >
                <MenuItem value="">Any gate</MenuItem>
                {GATE_IDS.map(g => (
                  <MenuItem key={g} value={g}>
                    {g}
                  </MenuItem>
                ))}
              </TextField>
              <TextField
                id="rco-portfolio-status"
                select
                label="Gate status"
                value={status}
                onChange={e => setStatus(e.target.value)}
                variant="outlined"
                size="small"
                style={{ minWidth: 160 }}
              >
                <MenuItem value="">Any status</MenuItem>
                {['pass', 'fail', 'missing', 'stale', 'waived'].map(s => (
                  <MenuItem key={s} value={s}>
                    {s}
                  </MenuItem>
                ))}
              </TextField>
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
