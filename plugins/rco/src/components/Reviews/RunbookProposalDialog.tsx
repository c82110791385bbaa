import {
  ReleaseReviewView,
  RunbookProposal,
} from '@helix-portal/plugin-rco-common';
import {
  Box,
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  makeStyles,
  Typography,
} from '@material-ui/core';
import { Progress } from '@backstage/core-components';
import { useState } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { RcoApi } from '../../api/RcoApi';
import { saveBlob } from '../PortfolioPage/saveBlob';
import { Refusal } from '../shared';

const useStyles = makeStyles(theme => ({
  code: {
    margin: 0,
    padding: theme.spacing(1),
    background: theme.palette.background.default,
    border: `1px solid ${theme.palette.divider}`,
    borderRadius: theme.shape.borderRadius,
    fontSize: '0.8rem',
    whiteSpace: 'pre-wrap',
    overflowWrap: 'anywhere',
    maxHeight: 360,
    overflow: 'auto',
  },
}));

/** A text to take to the repository, whole, with Copy and Download named after it. */
function TakeAway(props: {
  title: string;
  text: string;
  filename: string;
  type: string;
}) {
  const classes = useStyles();
  const [copied, setCopied] = useState<'yes' | 'failed'>();
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(props.text);
      setCopied('yes');
    } catch {
      setCopied('failed');
    }
  };
  return (
    <Box component="section" aria-label={props.title} mt={2}>
      <Box display="flex" alignItems="center" style={{ gap: 8 }} mb={1}>
        <Typography variant="subtitle1" component="h3">
          {props.title}
        </Typography>
        <Button
          size="small"
          variant="outlined"
          onClick={copy}
          aria-label={`Copy the ${props.title.toLowerCase()}`}
        >
          {copied === 'yes' ? 'Copied' : 'Copy'}
        </Button>
        <Button
          size="small"
          variant="outlined"
          aria-label={`Download the ${props.title.toLowerCase()}`}
          onClick={() =>
            saveBlob(
              new Blob([props.text], { type: props.type }),
              props.filename,
            )
          }
        >
          Download
        </Button>
        <span role="status" style={{ position: 'absolute', left: -10000 }}>
          {copied === 'yes' && 'Copied to the clipboard'}
          {copied === 'failed' && 'Could not copy: select the text and copy it'}
        </span>
      </Box>
      <pre className={classes.code}>
        <code>{props.text}</code>
      </pre>
    </Box>
  );
}

/**
 * The runbook change a review proposes: a changelog entry and the edited sections as a YAML
 * patch, to take to the runbook's repository (the runbook stays the source of truth in git;
 * nothing is written from here).
 */
export function RunbookProposalDialog(props: {
  api: RcoApi;
  review: ReleaseReviewView;
  onClose: () => void;
}) {
  const { api, review } = props;
  const proposal = useAsyncRetry(
    async (): Promise<RunbookProposal> => api.getRunbookProposal!(review.id),
    [api, review.id],
  );
  const p = proposal.value;
  return (
    <Dialog
      open
      onClose={props.onClose}
      aria-labelledby="rco-proposal-title"
      fullWidth
      maxWidth="md"
    >
      <DialogTitle id="rco-proposal-title">Proposed runbook change</DialogTitle>
      <DialogContent>
        {proposal.loading && <Progress />}
        {proposal.error && (
          <Refusal
            title="The proposal could not be made"
            error={proposal.error}
          />
        )}
        {p && (
          <>
            <Typography variant="body2">
              From the review of the {review.environment} {review.operationType}
              : runbook v{p.baseVersion} becomes v{p.nextVersion}. Take both to
              the runbook's repository; the portal reads the runbook from git.
            </Typography>
            <TakeAway
              title="Changelog entry"
              text={p.changelogEntry}
              filename={`runbook-changelog-${p.nextVersion}.yaml`}
              type="text/yaml"
            />
            <TakeAway
              title="YAML patch"
              text={p.patch}
              filename={`runbook-patch-${p.nextVersion}.yaml`}
              type="text/yaml"
            />
          </>
        )}
      </DialogContent>
      <DialogActions>
        {proposal.error && <Button onClick={proposal.retry}>Try again</Button>}
        <Button onClick={props.onClose}>Close</Button>
      </DialogActions>
    </Dialog>
  );
}
