import { GATES } from '@helix-portal/plugin-rco-common';
import {
  Checkbox,
  FormControlLabel,
  InputAdornment,
  TextField,
} from '@material-ui/core';
import Autocomplete from '@material-ui/lab/Autocomplete';
import SearchIcon from '@material-ui/icons/Search';
import { Duration } from 'luxon';
import { useEffect, useRef, useState } from 'react';
import { Person } from '../shared';
import { PortfolioState } from './filters';

const STATUSES: Array<[string, string]> = [
  ['fail', 'Fail'],
  ['missing', 'Missing'],
  ['stale', 'Stale'],
  ['waived', 'Waived'],
  ['pass', 'Pass'],
];

const SORTS: Array<[string, string]> = [
  ['risk', 'Riskiest first'],
  ['title', 'Title'],
  ['ref', 'Entity ref'],
  ['expires', 'Expiring soonest'],
];

/** "3 days" for P3D; the default horizon when the backend does not say. */
export function horizonWords(horizon = 'P3D'): string {
  const duration = Duration.fromISO(horizon);
  return duration.isValid ? duration.toHuman() : horizon;
}

/** How long the search box waits for a pause in typing before the backend is asked. */
const TYPING_PAUSE_MS = 250;

/**
 * One labelled filter: a native select, with an "any" choice first when it has one. Native, not
 * MUI's menu: that menu, closed while its opening transition ran on a busy machine, stayed
 * mounted over the page at opacity 0 and took every click until a reload (seen in CI's
 * Chromium). A native select has no overlay to leave behind, and the browser's own keyboard
 * and screen-reader handling.
 */
function FilterSelect(props: {
  id: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  any?: string;
  options: ReadonlyArray<[string, string]>;
  minWidth: number;
}) {
  return (
    <TextField
      id={props.id}
      select
      SelectProps={{ native: true }}
      // The "any" choice has the empty value and a text of its own: the label stays above it.
      InputLabelProps={{ shrink: true }}
      label={props.label}
      value={props.value}
      onChange={e => props.onChange(e.target.value)}
      variant="outlined"
      size="small"
      margin="dense"
      style={{ minWidth: props.minWidth }}
    >
      {props.any !== undefined && <option value="">{props.any}</option>}
      {props.options.map(([value, label]) => (
        <option key={value} value={value}>
          {label}
        </option>
      ))}
    </TextField>
  );
}

/**
 * The portfolio's filters and order: owner (any name or ref; the owners seen so far are
 * offered), gates by title, statuses in words, "expires soon", a search and the order. Every
 * one is applied by the backend; the search waits for a pause in typing so each keystroke does
 * not ask it again.
 */
export function PortfolioFilterBar(props: {
  state: PortfolioState;
  owners: string[];
  /** What "expires soon" means, an ISO 8601 duration (the backend's horizon). */
  horizon?: string;
  onChange: (key: keyof PortfolioState, value: string) => void;
}) {
  // The page writes a change to the query string a moment later (in a task of its own): each
  // control shows its new value at once, until the query string has it.
  const [chosen, setChosen] = useState<Partial<PortfolioState>>({});
  useEffect(() => setChosen({}), [props.state]);
  const state = { ...props.state, ...chosen } as PortfolioState;
  const onChange = (key: keyof PortfolioState, value: string) => {
    if (key !== 'q') setChosen(c => ({ ...c, [key]: value }));
    props.onChange(key, value);
  };
  const [q, setQ] = useState(props.state.q);
  // A link or the back button changes the query string: the box follows.
  useEffect(() => setQ(props.state.q), [props.state.q]);
  const typing = useRef<ReturnType<typeof setTimeout>>();
  useEffect(() => () => clearTimeout(typing.current), []);
  return (
    <div
      role="group"
      aria-label="Filter services"
      style={{
        display: 'flex',
        gap: 12,
        flexWrap: 'wrap',
        alignItems: 'center',
        marginBottom: 4,
      }}
    >
      <Autocomplete
        id="rco-portfolio-owner"
        freeSolo
        autoSelect
        options={props.owners}
        value={state.owner || null}
        onChange={(_e, value) => onChange('owner', value ?? '')}
        renderOption={o => <Person actor={o} />}
        style={{ minWidth: 200 }}
        renderInput={params => (
          <TextField
            {...params}
            label="Owner"
            placeholder="All owners"
            variant="outlined"
            size="small"
            margin="dense"
          />
        )}
      />
      <FilterSelect
        id="rco-portfolio-gate"
        label="Gate"
        value={state.gate}
        onChange={v => onChange('gate', v)}
        any="Any gate"
        options={GATES.map(g => [g.id, g.title])}
        minWidth={200}
      />
      <FilterSelect
        id="rco-portfolio-status"
        label="Gate status"
        value={state.status}
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
          const value = e.target.value;
          setQ(value);
          clearTimeout(typing.current);
          typing.current = setTimeout(
            () => onChange('q', value),
            TYPING_PAUSE_MS,
          );
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
      <FilterSelect
        id="rco-portfolio-sort"
        label="Order"
        value={state.sort}
        onChange={v => onChange('sort', v)}
        options={SORTS}
        minWidth={150}
      />
      <FormControlLabel
        title={`Only services with a gate whose evidence ages out within ${horizonWords(
          props.horizon,
        )}`}
        control={
          <Checkbox
            size="small"
            checked={state.expiring === 'true'}
            onChange={e => onChange('expiring', e.target.checked ? 'true' : '')}
          />
        }
        label="Expires soon"
      />
    </div>
  );
}
