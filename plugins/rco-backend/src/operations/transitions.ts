import { CustomErrorBase } from '@backstage/errors';
import { OperationState } from '@helix-portal/plugin-rco-common';

/** The fields of an operation a state change may write (OperationTransition's optional parts). */
export type TransitionField =
  | 'steps'
  | 'progress'
  | 'reasons'
  | 'confirmedBy'
  | 'awaiting'
  | 'gateSnapshot'
  | 'overrideId'
  | 'baselineRevision'
  | 'resultRevision'
  | 'lease'
  | 'timings';

/** What a running operation writes when it ends, whatever the outcome. */
const ENDING: readonly TransitionField[] = [
  'steps',
  'progress',
  'reasons',
  'resultRevision',
  'timings',
];

/**
 * Every change of state the control plane makes, and the fields each may write: from-state →
 * to-state → fields. A pair that is not here does not happen (OperationStore.transition throws),
 * whatever list of `from` states its caller gives. A state mapped to itself is an annotated
 * change without a new state (a confirmed plan waiting for its irreversible step, a promote, an
 * abort sent to the driver). Terminal states have no way out: nothing rewrites an ended
 * operation.
 *
 * ADR 0005 describes the machine; keep both in step.
 */
export const OPERATION_TRANSITIONS: Readonly<
  Record<
    OperationState,
    Readonly<Partial<Record<OperationState, readonly TransitionField[]>>>
  >
> = {
  requested: {
    preflight: ['steps'],
    // Aborted before preflight took it; or a backend stopped before preflight began.
    aborted: ['awaiting', 'reasons'],
    failed: ['reasons', 'steps'],
  },
  preflight: {
    'awaiting-confirmation': [
      'awaiting',
      'steps',
      'reasons',
      'gateSnapshot',
      'overrideId',
      'baselineRevision',
      'lease',
    ],
    // A dry-run changes nothing: it runs without a confirmation.
    running: ['steps', 'reasons', 'baselineRevision', 'lease'],
    blocked: ['steps', 'reasons', 'gateSnapshot'],
    failed: ['steps', 'reasons', 'gateSnapshot'],
  },
  'awaiting-confirmation': {
    // The plan is confirmed; an irreversible step waits for its own confirmation.
    'awaiting-confirmation': ['awaiting', 'confirmedBy'],
    running: [
      'awaiting',
      'confirmedBy',
      'steps',
      'gateSnapshot',
      'overrideId',
      'lease',
    ],
    blocked: ['awaiting', 'reasons', 'gateSnapshot'],
    aborted: ['awaiting', 'reasons'],
  },
  running: {
    // Promote and abort are recorded on the ledger; the driver's progress follows.
    running: [],
    succeeded: ENDING,
    failed: ENDING,
    'rolled-back': ENDING,
    aborted: ENDING,
    'needs-attention': ENDING,
  },
  succeeded: {},
  failed: {},
  'rolled-back': {},
  aborted: {},
  blocked: {},
  'needs-attention': {},
};

/** 500: the code asked for a change of state the machine does not have (a bug, not a race). */
export class ForbiddenTransitionError extends CustomErrorBase {
  name = 'ForbiddenTransitionError';
}

/**
 * Throws unless every `from → to` pair is in the table and each allows every field written.
 *
 * @param fields - the optional parts of the change that are set.
 */
export function assertTransitionAllowed(
  from: readonly OperationState[],
  to: OperationState | undefined,
  fields: readonly TransitionField[],
) {
  if (from.length === 0) {
    throw new ForbiddenTransitionError('A state change names no from-state');
  }
  for (const f of from) {
    const target = to ?? f;
    const allowed = OPERATION_TRANSITIONS[f]?.[target];
    if (!allowed) {
      throw new ForbiddenTransitionError(
        `An operation may not go from ${f} to ${target}`,
      );
    }
    const extra = fields.filter(x => !allowed.includes(x));
    if (extra.length > 0) {
      throw new ForbiddenTransitionError(
        `Going from ${f} to ${target} may not set ${extra.join(', ')}`,
      );
    }
  }
}
