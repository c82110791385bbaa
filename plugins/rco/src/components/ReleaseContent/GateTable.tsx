import { Link, Table, TableColumn } from '@backstage/core-components';
import { GateResult } from '@helix-portal/plugin-rco-common';
import { Box, Button, Typography } from '@material-ui/core';
import { Person, RichText, usePortalNow, When } from '../shared';
import { sourceLabel } from './format';
import { NextSteps, NextStepContext } from './NextSteps';
import { ProvenanceLine, SignatureLabel } from './Provenance';
import { StatusChip } from './StatusChip';

/** Whether a gate's evidence is per environment or about the image, in a few words. */
function scopeOf(gate: GateResult): string | undefined {
  const scopes = new Set(gate.evidence.map(e => e.scope).filter(Boolean));
  if (!scopes.size) return undefined;
  if (scopes.has('environment')) {
    const envs = [
      ...new Set(gate.evidence.map(e => e.subject.environment).filter(Boolean)),
    ];
    return `per environment${envs.length ? ` (${envs.join(', ')})` : ''}`;
  }
  if (scopes.has('image')) return 'about the image: counts everywhere';
  if (scopes.has('commit')) return 'about the commit: counts everywhere';
  return 'about the service: counts everywhere';
}

/**
 * The gate checklist: one row per gate with its verification method (linking to the runbook
 * section), status, reasons, the evidence's age and expiry, and the evidence itself.
 */
export function GateTable(props: {
  gates: GateResult[];
  runbookPath: string;
  onOpenEvidence: (id: string) => void;
  /** What the page can do for the next steps; without it, no "What to do" is shown. */
  nextSteps?: NextStepContext;
  /** Clusters that are the local portal's simulated cluster: named as such. */
  simulatedClusters?: Set<string>;
}) {
  const { gates, runbookPath, onOpenEvidence, nextSteps, simulatedClusters } =
    props;
  const now = usePortalNow();
  const columns: TableColumn<GateResult>[] = [
    {
      title: 'Gate',
      field: 'title',
      width: '18%',
      render: gate => (
        <Box id={`gate-${gate.id}`}>
          <Typography variant="subtitle2" component="span">
            {gate.title}
          </Typography>
          <Typography variant="caption" display="block" color="textSecondary">
            {gate.section ? (
              <Link to={`${runbookPath}#section-${gate.section}`}>
                {gate.verification}
              </Link>
            ) : (
              gate.verification
            )}
          </Typography>
        </Box>
      ),
    },
    {
      title: 'Status',
      field: 'status',
      render: gate => <StatusChip status={gate.status} />,
      width: '8em',
    },
    {
      // The widest column: the reasons and "What to do" (commands) are read here.
      title: 'Reasons and what to do',
      sorting: false,
      width: '52%',
      render: gate => (
        <>
          <ul style={{ margin: 0, paddingLeft: 16 }}>
            {gate.reasons.map(reason => (
              <li key={reason}>
                <Typography variant="body2">
                  <RichText text={reason} />
                </Typography>
              </li>
            ))}
          </ul>
          {nextSteps && <NextSteps gate={gate} ctx={nextSteps} />}
        </>
      ),
    },
    {
      title: 'Evidence',
      sorting: false,
      width: '22%',
      render: gate => {
        // Collected objects age from their last observation (an unchanged object is not
        // collected again, only seen again), uploads from their collection.
        const seenAt = (e: GateResult['evidence'][number]) =>
          e.provenance?.observedAt ?? e.collectedAt;
        const newest = [...gate.evidence].sort((a, b) =>
          seenAt(b).localeCompare(seenAt(a)),
        )[0];
        return (
          <Box>
            {newest ? (
              <Typography variant="body2">
                {newest.provenance ? 'last observed' : 'collected'}{' '}
                <When iso={seenAt(newest)} />
              </Typography>
            ) : (
              <Typography variant="body2" color="textSecondary">
                none
              </Typography>
            )}
            {gate.expiresAt && (
              <Typography variant="caption" display="block">
                {Date.parse(gate.expiresAt) > now() ? 'expires' : 'expired'}{' '}
                <When iso={gate.expiresAt} />
              </Typography>
            )}
            {gate.evidence.slice(0, 4).map((e, _, shown) => {
              // Several records of one kind (three Velero backups) get a number each, so
              // neither the eye nor a screen reader meets three identical buttons.
              const same = shown.filter(o => o.kind === e.kind);
              const n =
                same.length > 1
                  ? ` ${same.indexOf(e) + 1} of ${same.length}`
                  : '';
              return (
                <Button
                  key={e.id}
                  size="small"
                  color="primary"
                  onClick={() => onOpenEvidence(e.id)}
                  aria-label={`Open ${e.kind} evidence${n} for ${gate.title}`}
                >
                  {e.kind}
                  {n}
                </Button>
              );
            })}
            {gate.evidence.slice(0, 4).map(e => (
              <Box key={`origin-${e.id}`}>
                {e.provenance && (
                  <ProvenanceLine
                    provenance={e.provenance}
                    simulated={simulatedClusters}
                  />
                )}
                {e.signature && <SignatureLabel signature={e.signature} />}
              </Box>
            ))}
            {gate.evidence.length > 0 && (
              // Who attested it, so a reader can tell CI's scan from a person's upload.
              <Typography variant="caption" display="block">
                from{' '}
                {[
                  ...new Set(gate.evidence.map(e => sourceLabel(e.source))),
                ].join(', ')}
                {[
                  ...new Set(
                    gate.evidence
                      .filter(e => e.imageAssertedBy)
                      .map(e => e.imageAssertedBy),
                  ),
                ].map(who => `; image asserted by ${who}`)}
              </Typography>
            )}
            {gate.evidence.some(e => e.submitter) && (
              <Typography variant="caption" display="block">
                uploaded by{' '}
                {[
                  ...new Set(
                    gate.evidence
                      .map(e => e.submitter!)
                      .filter(Boolean)
                      // The console's own operations (a dry-run) by what they are, not by id.
                      .map(who =>
                        who.startsWith('rco:operation:')
                          ? 'a console operation'
                          : who,
                      ),
                  ),
                ].map((who, i) => (
                  <span key={who}>
                    {i > 0 && ', '}
                    <Person actor={who} />
                  </span>
                ))}
              </Typography>
            )}
            {scopeOf(gate) && (
              <Typography variant="caption" display="block">
                {scopeOf(gate)}
              </Typography>
            )}
          </Box>
        );
      },
    },
  ];
  return (
    <Table
      title="Final Review Gate Checklist"
      // Not draggable: material-table's drag handles add a tab stop and a nameless button
      // around every column header, the sortable ones nesting a button in a button.
      options={{
        paging: false,
        search: false,
        padding: 'dense',
        draggable: false,
      }}
      columns={columns}
      data={gates}
    />
  );
}
