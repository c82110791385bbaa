import { OperationResponse } from '@helix-portal/plugin-rco-common';
import { createContext, ReactNode, useContext } from 'react';
import { describeOperation } from './model';

interface Wording {
  /** The service's catalog title ("RCO (Remote-Call Orchestrator)"). */
  title?: string;
  /** The version each revision of the environment on screen runs. */
  versions: Map<string, string>;
}

const WordingContext = createContext<Wording>({ versions: new Map() });

/**
 * What the deploy side's sentences need to name things as people know them: the service's
 * title from the catalog (not its ref name) and the versions behind revision numbers.
 */
export function WordingProvider(props: {
  /** From the catalog's entity presentation (useEntityPresentation). */
  title?: string;
  versions: Map<string, string>;
  children: ReactNode;
}) {
  return (
    <WordingContext.Provider
      value={{ title: props.title, versions: props.versions }}
    >
      {props.children}
    </WordingContext.Provider>
  );
}

export const useWording = () => useContext(WordingContext);

/** describeOperation with the service's title and the revisions' versions. */
export function useDescribe(): (op: OperationResponse) => string {
  const wording = useWording();
  return op => describeOperation(op, wording);
}
