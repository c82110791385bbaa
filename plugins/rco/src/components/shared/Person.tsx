import { parseEntityRef } from '@backstage/catalog-model';
import {
  EntityDisplayName,
  useEntityPresentation,
} from '@backstage/plugin-catalog-react';

/** A catalog ref of a person or group (`user:default/lena.vogel`), or undefined. */
export function personRef(text: string): string | undefined {
  try {
    const ref = parseEntityRef(text);
    const kind = ref.kind.toLowerCase();
    return (kind === 'user' || kind === 'group') && text.includes(':')
      ? `${kind}:${ref.namespace}/${ref.name}`
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A person's display name as a string, for accessible names and messages that cannot hold an
 * element ("Revoke the Security decision of Lena Vogel"); anything not a person or group ref
 * as it is.
 */
export function usePersonName(actor?: string): string {
  const ref = actor ? personRef(actor) : undefined;
  // Always called (hooks keep their order); a non-person asks about a ref it then ignores.
  const presentation = useEntityPresentation(ref ?? 'user:default/unknown');
  return ref ? presentation.primaryTitle : actor ?? 'someone';
}

/**
 * Who did something, by display name with the ref on hover (the catalog's entity presentation).
 * Anything that is not a person or group ref (a service principal, `rco:operation:…`) is shown
 * as it is.
 */
export function Person(props: { actor?: string }) {
  const ref = props.actor ? personRef(props.actor) : undefined;
  if (!ref) return <>{props.actor ?? 'someone'}</>;
  return <EntityDisplayName entityRef={ref} hideIcon />;
}
