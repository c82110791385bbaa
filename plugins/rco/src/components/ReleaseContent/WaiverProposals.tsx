import {
  GateResult,
  WaiverProposalView,
} from '@helix-portal/plugin-rco-common';
import { Box, Button, Typography } from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import { Person, When } from '../shared';

/**
 * What a proposal asks to cover, each part labelled and the proposer's words set apart as code:
 * a version label is any text its requester chose, and must not read as the scope itself
 * ("1.5.0, staging)" naming a proposal for every environment). A wide scope is said in bold.
 */
export function ProposalScope(props: { proposal: WaiverProposalView }) {
  const { releaseVersion, environment } = props.proposal;
  return (
    <Typography variant="body2" component="span" display="block">
      Release:{' '}
      {releaseVersion ? <code>{releaseVersion}</code> : <b>every release</b>}
      {' · '}Environment:{' '}
      {environment ? <code>{environment}</code> : <b>every environment</b>}
    </Typography>
  );
}

const waitsFor = (canWaive: boolean, here: boolean, environment?: string) => {
  if (!canWaive)
    return 'Waits for a member of the waiver group: nothing is waived until one grants it.';
  return here
    ? 'Nothing is waived until you grant it.'
    : `Pick ${environment} above to review it: its gate is judged there.`;
};

/**
 * Open waiver proposals (issue 16): someone who may request the release, or their assistant
 * through MCP, asked the waiver group to waive a gate. The group's members review each one here
 * and grant it in the waiver dialog, filled in as proposed; everyone else sees that it waits.
 * A proposal for another environment is granted from that environment's view, where its gate is
 * judged.
 */
export function WaiverProposals(props: {
  proposals: WaiverProposalView[];
  gates: GateResult[];
  environment?: string;
  canWaive: boolean;
  onReview: (proposal: WaiverProposalView) => void;
}) {
  const open = props.proposals.filter(p => p.state === 'open');
  if (!open.length) return null;
  const title = (gate: string) =>
    props.gates.find(g => g.id === gate)?.title ?? gate;
  return (
    <Box
      component="section"
      aria-label="Waiver proposals"
      display="flex"
      flexDirection="column"
      style={{ gap: 8 }}
      mt={2}
    >
      {open.map(p => {
        // A proposal for every environment is reviewed from any; one for an environment there.
        const here = !p.environment || p.environment === props.environment;
        return (
          <Alert
            key={p.id}
            severity="info"
            aria-label={`Waiver of ${title(p.gate)} proposed`}
            action={
              props.canWaive && here ? (
                <Button
                  size="small"
                  variant="outlined"
                  onClick={() => props.onReview(p)}
                  aria-label={`Review and grant the waiver of ${title(
                    p.gate,
                  )} proposed by ${p.proposedBy}`}
                >
                  Review and grant
                </Button>
              ) : undefined
            }
          >
            <Person actor={p.proposedBy} /> proposes waiving {title(p.gate)}{' '}
            until <When iso={p.expiresAt} local /> (proposed{' '}
            <When iso={p.proposedAt} />)
            <ProposalScope proposal={p} />
            {/* The proposer's words as written: refs in them name nobody. */}
            <Typography variant="body2" component="span" display="block">
              Justification: “{p.justification}”
            </Typography>
            <Typography variant="caption" display="block">
              {waitsFor(props.canWaive, here, p.environment)}
            </Typography>
          </Alert>
        );
      })}
    </Box>
  );
}
