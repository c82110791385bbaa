import { Link } from '@backstage/core-components';
import {
  CapabilitiesResponse,
  GateNextStep,
  GateResult,
} from '@helix-portal/plugin-rco-common';
import { Box, Button, Typography } from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import { Fragment } from 'react';
import { Person, RichText } from '../shared';
import { ROLE_TITLE } from '../Operations/model';
import { CopyCommand } from './CopyCommand';
import { GateActions } from './useGateActions';

/** What the page can do for a gate's next steps, and what the caller may do. */
export interface NextStepContext {
  capabilities?: CapabilitiesResponse;
  runbookPath: string;
  actions: GateActions;
  /** Moves focus to the sign-off panel's button for the role. */
  goSign: (role: 'po' | 'dpo' | 'security') => void;
  /** Opens the waiver dialog for the gate (given to the waiver group only). */
  waive?: (gateId: string) => void;
}

/** Whether evidence is per environment or about the image, in words. */
export function scopeNote(scope?: string, environment?: string) {
  switch (scope) {
    case 'environment':
      return environment
        ? `Per environment: this counts in ${environment} only; each environment needs its own.`
        : 'Per environment: each environment needs its own.';
    case 'image':
      return 'About the image: one upload counts in every environment.';
    case 'commit':
      return 'About the commit: counts in every environment.';
    case 'service':
      return 'About the service as a whole: counts in every environment.';
    default:
      return undefined;
  }
}

/** "Lena Vogel and Tom Berg (Data Protection Officers)". */
export function Deciders(props: { step: GateNextStep }) {
  const { people = [], group } = props.step;
  return (
    <>
      {people.map((p, i) => (
        <Fragment key={p.ref}>
          {i > 0 && (i === people.length - 1 ? ' and ' : ', ')}
          <span title={p.ref}>{p.name}</span>
        </Fragment>
      ))}
      {group && (
        <>
          {people.length ? ' (' : 'Members of '}
          <Person actor={group} />
          {people.length ? ')' : ''}
        </>
      )}
    </>
  );
}

/**
 * Who grants waivers, by name from the waiver group the backend resolved ("Waivers are granted by
 * Samir Haddad (Release Managers)"), not "the waiver group". The backend names them on the waive
 * step of a blocking gate; with none blocking there is nobody to ask, and the page says so (and
 * who granted a waiver in force, a person of that group).
 */
export function WhoMayWaive(props: { gates: GateResult[] }) {
  const step = props.gates
    .flatMap(g => g.next ?? [])
    .find(s => s.action === 'waive' && (s.people?.length || s.group));
  if (!step) {
    // The sign-off gate is passed by signing, never waived: it asks nobody for a waiver.
    const blocking = props.gates.some(
      g =>
        g.status !== 'pass' && g.status !== 'waived' && g.id !== 'dpo-signoff',
    );
    const granted = props.gates.find(g => g.waiver)?.waiver?.grantedBy;
    if (blocking)
      return (
        <>
          Nobody can waive a gate here: the portal names no catalog group that
          grants waivers (rco.waivers.group).
        </>
      );
    if (granted)
      return (
        <>
          No other gate needs a waiver; <Person actor={granted} /> granted the
          one in force.
        </>
      );
    return <>No gate needs a waiver.</>;
  }
  return (
    <>
      Waivers are granted by <Deciders step={step} />.
    </>
  );
}

function Step(props: {
  gate: GateResult;
  step: GateNextStep;
  ctx: NextStepContext;
}) {
  const { gate, step, ctx } = props;
  const { capabilities, actions } = ctx;
  const note = scopeNote(step.scope, step.environment);
  const text = (
    <Typography variant="body2">
      <RichText text={step.text} />
    </Typography>
  );
  switch (step.action) {
    case 'upload':
    case 'fix':
      return (
        <>
          {text}
          {note && (
            <Typography variant="caption" display="block">
              {note}
            </Typography>
          )}
          {step.command && (
            <CopyCommand
              command={step.command}
              label={`Copy the ${step.kind ?? 'upload'} upload command for ${
                gate.title
              }${step.environment ? ` in ${step.environment}` : ''}`}
            />
          )}
          {step.cliCommand && (
            <>
              <Typography variant="caption" display="block">
                or with the rco CLI (RCO_URL and RCO_TOKEN set):
              </Typography>
              <CopyCommand
                command={step.cliCommand}
                label={`Copy the rco CLI command for ${gate.title}${
                  step.environment ? ` in ${step.environment}` : ''
                }`}
              />
            </>
          )}
        </>
      );
    case 'rollback-dry-run': {
      const env = step.environment;
      const run = env ? actions.dryRuns[env] : undefined;
      const may = !!capabilities?.operations?.rollback;
      return (
        <>
          {text}
          {env && may ? (
            <Button
              size="small"
              variant="outlined"
              color="primary"
              disabled={run?.state === 'starting' || run?.state === 'running'}
              onClick={() => actions.dryRun(env)}
            >
              Run a rollback dry-run in {env}
            </Button>
          ) : (
            <Typography variant="caption" display="block">
              {env
                ? 'The service’s owners can run it here or in the Deploy section.'
                : 'Choose an environment above to run it.'}
            </Typography>
          )}
          {run && (
            <Box mt={1} aria-live="polite">
              {run.state === 'starting' || run.state === 'running' ? (
                <Typography variant="body2">
                  Dry-run in {env} running… the gate updates when it ends.
                </Typography>
              ) : (
                <Alert
                  severity={run.state === 'succeeded' ? 'success' : 'error'}
                >
                  Dry-run in {env}{' '}
                  {run.state === 'succeeded' ? 'succeeded' : 'failed'}
                  {run.message && (
                    <>
                      : <RichText text={run.message} />
                    </>
                  )}
                </Alert>
              )}
            </Box>
          )}
        </>
      );
    }
    case 'request-release':
      return (
        <>
          {text}
          {capabilities?.requestRelease ? (
            <Button
              size="small"
              variant="outlined"
              color="primary"
              disabled={actions.requesting}
              onClick={actions.request}
            >
              Request this release
            </Button>
          ) : (
            <Typography variant="caption" display="block">
              The service’s owners can request it.
            </Typography>
          )}
          {actions.requestError && (
            <Alert severity="error">
              <RichText text={actions.requestError} />
            </Alert>
          )}
        </>
      );
    case 'signoff': {
      const role = step.role;
      const title = role ? ROLE_TITLE[role] : 'the role';
      return (
        <>
          {step.people?.length || step.group ? (
            <Typography variant="body2">
              <Deciders step={step} /> can sign as {title}.
            </Typography>
          ) : (
            text
          )}
          {role && capabilities?.signoff[role] && (
            <Button
              size="small"
              variant="outlined"
              color="primary"
              onClick={() => ctx.goSign(role)}
            >
              Go to sign as {title}
            </Button>
          )}
        </>
      );
    }
    case 'waive':
      return (
        <>
          {step.people?.length || step.group ? (
            <Typography variant="body2">
              <Deciders step={step} /> can waive {gate.title}.
            </Typography>
          ) : (
            text
          )}
          {ctx.waive && capabilities?.waive && (
            <Button
              size="small"
              variant="outlined"
              onClick={() => ctx.waive!(gate.id)}
            >
              Waive {gate.title}
            </Button>
          )}
        </>
      );
    case 'configure':
      return (
        <>
          {text}
          {step.setting && (
            <Typography variant="caption" display="block">
              Setting: <code>{step.setting}</code> (the portal’s operators set
              it in app-config)
            </Typography>
          )}
        </>
      );
    default:
      return text;
  }
}

/**
 * "What to do" for a gate that does not pass: each next step the backend serves, as an action
 * (a command to copy, a button the page runs, the people who may sign or waive, the setting to
 * configure), the rule's condition in words and the runbook section.
 */
export function NextSteps(props: { gate: GateResult; ctx: NextStepContext }) {
  const { gate, ctx } = props;
  if (gate.status === 'pass') return null;
  const steps = gate.next ?? [];
  if (!steps.length && !gate.condition && !gate.section) return null;
  return (
    <Box
      component="section"
      aria-label={`What to do: ${gate.title}`}
      mt={1}
      pl={1}
      borderLeft={2}
      borderColor="divider"
    >
      <Typography variant="subtitle2" component="h3">
        What to do
      </Typography>
      {gate.condition && (
        <Typography variant="body2" gutterBottom>
          Passes when: <RichText text={gate.condition} />
        </Typography>
      )}
      <ol style={{ margin: 0, paddingLeft: 20 }}>
        {steps.map((step, i) => (
          <li key={`${step.action}-${i}`} style={{ marginBottom: 8 }}>
            <Step gate={gate} step={step} ctx={ctx} />
          </li>
        ))}
      </ol>
      {gate.section && (
        <Typography variant="caption" display="block">
          <Link to={`${ctx.runbookPath}#section-${gate.section}`}>
            Runbook: how {gate.title} is verified
          </Link>
        </Typography>
      )}
    </Box>
  );
}
