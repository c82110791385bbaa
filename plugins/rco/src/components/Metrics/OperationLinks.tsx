import { useApiHolder } from '@backstage/frontend-plugin-api';
import { Box, Button, Typography } from '@material-ui/core';
import { useState } from 'react';
import { rcoApiRef } from '../../api/RcoApi';
import { RecordDialog } from '../Timeline/RecordDialog';

const FIRST = 8;

/**
 * The operations behind a figure, each opening its record (GET /operations/:id through the API,
 * with the user's token) as the release timeline opens its records. The first few show; the
 * rest on request.
 */
export function OperationLinks(props: { ids: string[]; label: string }) {
  // Optional: a dialog rendered outside the plugin's API still lists the ids.
  const api = useApiHolder().get(rcoApiRef);
  const [all, setAll] = useState(false);
  const [open, setOpen] = useState<string>();
  if (!props.ids.length) return null;
  const shown = all ? props.ids : props.ids.slice(0, FIRST);
  return (
    <Box component="span" display="inline">
      {shown.map(id =>
        api?.getRecord ? (
          <Button
            key={id}
            size="small"
            color="primary"
            onClick={() => setOpen(id)}
            aria-label={`Open operation ${id} (${props.label})`}
            style={{ textTransform: 'none', minWidth: 0 }}
          >
            {id.length > 12 ? `${id.slice(0, 12)}…` : id}
          </Button>
        ) : (
          <Typography key={id} variant="caption" component="code">
            {id}{' '}
          </Typography>
        ),
      )}
      {props.ids.length > FIRST && (
        <Button size="small" onClick={() => setAll(a => !a)}>
          {all ? 'Fewer' : `All ${props.ids.length}`}
        </Button>
      )}
      {open && api && (
        <RecordDialog
          api={api}
          title={`Operation ${open}`}
          href={`/operations/${encodeURIComponent(open)}`}
          onClose={() => setOpen(undefined)}
        />
      )}
    </Box>
  );
}
