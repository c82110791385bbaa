import { GATES } from '@helix-portal/plugin-rco-common';
import { InputAdornment, MenuItem, TextField } from '@material-ui/core';
import SearchIcon from '@material-ui/icons/Search';
import { ReactNode, useEffect, useState } from 'react';
import { Person } from '../shared';
import { PortfolioFilters } from './filters';

const STATUSES: Array<[string, string]> = [
  ['fail', 'Fail'],
  ['missing', 'Missing'],
  ['stale', 'Stale'],
  ['waived', 'Waived'],
  ['pass', 'Pass'],
];

/** One labelled filter: a compact select with an "any" choice first. */
function FilterSelect(props: {
  id: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  any: string;
  options: ReadonlyArray<[string, ReactNode]>;
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
      margin="dense"
      style={{ minWidth: props.minWidth }}
    >
      <MenuItem value="">{props.any}</MenuItem>
      {props.options.map(([value, label]) => (
        <MenuItem key={value} value={value}>
          {label}
        </MenuItem>
      ))}
    </TextField>
  );
}

/**
 * The portfolio's filters: owners by name, gates by title, statuses in words, and a search. The
 * search is typed into local state (the query string follows each keystroke without a new
 * history entry) so typing stays smooth.
 */
export function PortfolioFilterBar(props: {
  filters: PortfolioFilters;
  owners: string[];
  onChange: (key: keyof PortfolioFilters, value: string) => void;
}) {
  const { filters, onChange } = props;
  const [q, setQ] = useState(filters.q);
  // A link or the back button changes the query string: the box follows.
  useEffect(() => setQ(filters.q), [filters.q]);
  return (
    <div
      role="group"
      aria-label="Filter services"
      style={{ display: 'flex', gap: 12, flexWrap: 'wrap', marginBottom: 4 }}
    >
      <FilterSelect
        id="rco-portfolio-owner"
        label="Owner"
        value={filters.owner}
        onChange={v => onChange('owner', v)}
        any="All owners"
        options={props.owners.map(o => [o, <Person actor={o} />])}
        minWidth={170}
      />
      <FilterSelect
        id="rco-portfolio-gate"
        label="Gate"
        value={filters.gate}
        onChange={v => onChange('gate', v)}
        any="Any gate"
        options={GATES.map(g => [g.id, g.title])}
        minWidth={200}
      />
      <FilterSelect
        id="rco-portfolio-status"
        label="Gate status"
        value={filters.status}
        onChange={v => onChange('status', v)}
        any="Any status"
        options={STATUSES}
        minWidth={140}
      />
      <TextField
        id="rco-portfolio-search"
        label="Search"
        type="search"
        variant="outlined"
        size="small"
        margin="dense"
        value={q}
        onChange={e => {
          setQ(e.target.value);
          onChange('q', e.target.value);
        }}
        InputProps={{
          startAdornment: (
            <InputAdornment position="start">
              <SearchIcon fontSize="small" />
            </InputAdornment>
          ),
        }}
        style={{ minWidth: 200 }}
      />
    </div>
  );
}
