import { Alert } from '@material-ui/lab';
import { RichText } from './RichText';

/**
 * The backend's own sentence for a refused request. `ResponseError` titles itself "Request
 * failed with 409 Conflict" and keeps the server's message in its body: that is what people read.
 */
export function refusalOf(error: unknown): string {
  const e = error as
    | { body?: { error?: { message?: string } }; cause?: { message?: string } }
    | undefined;
  return (
    e?.body?.error?.message ||
    e?.cause?.message ||
    (error as Error | undefined)?.message ||
    String(error)
  );
}

/**
 * A refusal shown where it happened (in the dialog or beside the button), with the people in it
 * by name and its durations and instants in words: the alert API only takes strings, and would
 * show "user:default/guest" and "P7D".
 */
export function Refusal(props: {
  title: string;
  error: unknown;
  /** Rewords the server's sentence first (field names into words). */
  words?: (message: string) => string;
}) {
  const message = refusalOf(props.error);
  return (
    <Alert severity="error" role="alert">
      {props.title}: <RichText text={props.words?.(message) ?? message} />
    </Alert>
  );
}
