import { OperationResponse } from '@helix-portal/plugin-rco-common';
import { RcoApi } from '../../api/RcoApi';
import { ConfirmDialog } from './ConfirmDialog';
import { Person } from '../shared';
import { revisionWords } from './revisions';
import { useDescribe, useWording } from './wording';

/**
 * Confirms an operation that already exists and waits: its plan (when the page was reloaded
 * between request and confirmation) or, separately, an irreversible step such as a database
 * migration. The backend requires the step to be named, so a plan confirmation can never
 * silently cover it.
 */
export function ConfirmOperationDialog(props: {
  api: RcoApi;
  operation: OperationResponse;
  entityName: string;
  onConfirmed: (op: OperationResponse) => void;
  onClose: () => void;
}) {
  const { api, operation: op, entityName } = props;
  const describe = useDescribe();
  const { versions } = useWording();
  const step =
    op.awaiting && op.awaiting !== 'plan'
      ? op.steps.find(s => s.id === op.awaiting) ?? {
          id: op.awaiting,
          title: op.awaiting,
          status: 'pending' as const,
        }
      : undefined;

  return (
    <ConfirmDialog
      title={
        step
          ? `Confirm the irreversible step: ${step.title}`
          : `Confirm: ${describe(op)}`
      }
      entityName={entityName}
      facts={[
        ['Operation', describe(op)],
        ['Environment', `${op.environment} (${op.driver})`],
        ['Requested by', <Person actor={op.requestedBy} />],
        ...(op.baselineRevision
          ? [
              ['Serving now', revisionWords(op.baselineRevision, versions)] as [
                string,
                string,
              ],
            ]
          : []),
      ]}
      steps={step ? [{ title: step.title, irreversible: true }] : op.steps}
      warning={
        step
          ? `${step.title} cannot be undone: rolling the service back later does not reverse it. It runs as soon as you confirm.`
          : undefined
      }
      onConfirm={async confirmation => {
        const next = await api.confirmOperation(
          op.id,
          step ? { confirmation, step: step.id } : { confirmation },
        );
        props.onConfirmed(next);
      }}
      onClose={props.onClose}
    />
  );
}
