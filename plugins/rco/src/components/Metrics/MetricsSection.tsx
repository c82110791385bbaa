import { CompoundEntityRef } from '@backstage/catalog-model';
import { InfoCard, Progress } from '@backstage/core-components';
import { Button } from '@material-ui/core';
import { lazy, Suspense, useState } from 'react';

// The charts (recharts) load with the section, not with the page that holds it.
const MetricsView = lazy(() => import('./MetricsView'));

/**
 * Delivery metrics and gate effectiveness as a section of a page (the Release tab, the
 * portfolio). Nothing is read until it is opened: the figures are history, not what the page
 * is first opened for, and they cost the backend a computation.
 */
export function MetricsSection(props: {
  entityRef?: CompoundEntityRef;
  environments?: string[];
  environment?: string;
}) {
  const [open, setOpen] = useState(false);
  return (
    <InfoCard
      title="Delivery metrics and gate effectiveness"
      subheader={
        props.entityRef
          ? 'How often this service deploys, how long changes take, how often they fail and how fast service is restored; what the gates blocked and what got past them.'
          : 'The same figures for every service you can see.'
      }
    >
      <div id={props.entityRef ? 'rco-metrics' : 'rco-portfolio-metrics'}>
        <Button
          variant="outlined"
          aria-expanded={open}
          onClick={() => setOpen(o => !o)}
        >
          {open ? 'Hide metrics' : 'Show metrics'}
        </Button>
        {open && (
          <Suspense fallback={<Progress />}>
            <div style={{ marginTop: 16 }}>
              <MetricsView
                entityRef={props.entityRef}
                environments={props.environments}
                environment={props.environment}
              />
            </div>
          </Suspense>
        )}
      </div>
    </InfoCard>
  );
}
