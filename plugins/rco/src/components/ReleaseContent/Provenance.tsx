import { GateEvidenceRef } from '@helix-portal/plugin-rco-common';
import { Box, makeStyles, Typography } from '@material-ui/core';
import ErrorIcon from '@material-ui/icons/Error';
import ReportProblemOutlined from '@material-ui/icons/ReportProblemOutlined';
import VerifiedUser from '@material-ui/icons/VerifiedUser';
import { When } from '../shared';
import { objectName, signatureWords } from './collectionWords';

const useStyles = makeStyles(theme => ({
  line: { display: 'flex', alignItems: 'flex-start', gap: theme.spacing(0.5) },
  icon: { fontSize: '1rem', marginTop: 2, flexShrink: 0 },
  object: { wordBreak: 'break-word' },
}));

type Provenance = NonNullable<GateEvidenceRef['provenance']>;

/** "cluster simulated-cluster (simulated)": a simulated cluster is named as one wherever it shows. */
export const clusterWords = (cluster: string, simulated?: Set<string>) =>
  simulated?.has(cluster) ? `${cluster} (simulated cluster)` : cluster;

/**
 * Where the console read a collected object, in one line for the gate checklist: "PolicyReport
 * rco-prod/polr-ns-rco-prod in simulated-cluster, last observed 2 minutes ago".
 */
export function ProvenanceLine(props: {
  provenance: Provenance;
  simulated?: Set<string>;
}) {
  const classes = useStyles();
  const p = props.provenance;
  return (
    <Typography variant="caption" display="block" className={classes.object}>
      {objectName(p)} in {clusterWords(p.cluster, props.simulated)}, last
      observed <When iso={p.observedAt} />
    </Typography>
  );
}

/** The drawer's provenance rows of a collected object (StructuredMetadataTable). */
export function provenanceRows(p: Provenance, simulated?: Set<string>) {
  return {
    collector: p.collector,
    cluster: clusterWords(p.cluster, simulated),
    namespace: p.namespace ?? 'cluster-scoped',
    object: `${p.kind}${p.apiVersion ? ` (${p.apiVersion})` : ''} ${p.name}`,
    UID: p.uid,
    'resource version': p.resourceVersion,
    'first seen': <When iso={p.firstObservedAt} local />,
    // Staleness counts from here: an unchanged object only refreshes this time.
    'last observed': <When iso={p.observedAt} local />,
  };
}

/**
 * A signature's standing: verified by the console (with the identity), verification failed
 * (with the reason), or CI's claim that nobody here checked. Icon and words, never colour alone.
 */
export function SignatureLabel(props: {
  signature: NonNullable<GateEvidenceRef['signature']>;
}) {
  const classes = useStyles();
  const words = signatureWords(props.signature);
  const failed =
    props.signature.verifiedBy === 'console' && !props.signature.ok;
  let Icon = ReportProblemOutlined;
  if (words.trusted) Icon = VerifiedUser;
  else if (failed) Icon = ErrorIcon;
  return (
    <Box className={classes.line}>
      <Icon className={classes.icon} aria-hidden />
      <Typography variant="caption" component="span">
        {words.label}
        {words.detail && `: ${words.detail}`}
      </Typography>
    </Box>
  );
}
