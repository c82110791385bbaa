import { InfoCard, StructuredMetadataTable } from '@backstage/core-components';
import {
  RunbookVersionResponse,
  RunbookVersionSummary,
} from '@helix-portal/plugin-rco-common';
import {
  Box,
  Chip,
  FormControl,
  InputLabel,
  MenuItem,
  Select,
  Typography,
} from '@material-ui/core';
import { Duration } from 'luxon';

/** "PT15M" → "15 minutes", keeping the ISO form visible for people who write runbooks. */
export function formatDuration(iso: string): string {
  const duration = Duration.fromISO(iso);
  if (!duration.isValid) return iso;
  return `${duration.toHuman({ unitDisplay: 'long' })} (${iso})`;
}

/** Version picker over every stored version, newest first. */
export function VersionPicker(props: {
  versions: RunbookVersionSummary[];
  value: string;
  onChange: (version: string) => void;
  label?: string;
  id?: string;
}) {
  const id = props.id ?? 'rco-runbook-version';
  return (
    <FormControl variant="outlined" size="small" style={{ minWidth: 220 }}>
      <InputLabel id={`${id}-label`}>{props.label ?? 'Version'}</InputLabel>
      <Select
        labelId={`${id}-label`}
        id={id}
        label={props.label ?? 'Version'}
        value={props.value}
        onChange={e => props.onChange(String(e.target.value))}
      >
        {props.versions.map(v => (
          <MenuItem key={v.hash} value={v.version}>
            v{v.version} · {v.date}
            {v.current ? ' (current)' : ''}
          </MenuItem>
        ))}
      </Select>
    </FormControl>
  );
}

/** Title, version, status, targets and sign-off roles of a runbook version. */
export function RunbookHeader(props: {
  doc: RunbookVersionResponse;
  actions?: React.ReactNode;
}) {
  const { doc, actions } = props;
  const { runbook } = doc;
  return (
    <InfoCard
      title={runbook.metadata.title}
      subheader={
        <Box
          display="flex"
          alignItems="center"
          flexWrap="wrap"
          style={{ gap: 8 }}
        >
          <Chip size="small" label={`v${runbook.metadata.version}`} />
          <Chip
            size="small"
            variant="outlined"
            label={runbook.metadata.status}
          />
          {doc.current ? (
            <Chip size="small" color="primary" label="current" />
          ) : (
            <Chip size="small" variant="outlined" label="earlier version" />
          )}
          <Typography variant="body2" component="span">
            dated {runbook.metadata.date}
          </Typography>
        </Box>
      }
      action={actions}
    >
      <StructuredMetadataTable
        metadata={{
          scope: runbook.metadata.scope,
          'Recovery time objective (RTO)': formatDuration(runbook.targets.rto),
          'Recovery point objective (RPO)': formatDuration(runbook.targets.rpo),
          'Rollback dry-run max age': formatDuration(
            runbook.targets.rollbackDryRunMaxAge,
          ),
          'Sign-off roles': runbook.signOffRoles.map(
            r => `${r.title} (${r.group})`,
          ),
          source: doc.source,
          'content sha256': doc.hash,
        }}
      />
    </InfoCard>
  );
}
