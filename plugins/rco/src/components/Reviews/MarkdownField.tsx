import { Box, Tab, Tabs, TextField, Typography } from '@material-ui/core';
import { useState } from 'react';
import { ReviewMarkdown } from './ReviewMarkdown';

/**
 * A markdown text with Write and Preview, the preview rendered by Backstage's own markdown
 * renderer (as the runbook sections are), so what is previewed is what the review shows.
 */
export function MarkdownField(props: {
  id: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  required?: boolean;
  helperText?: string;
}) {
  const [tab, setTab] = useState<'write' | 'preview'>('write');
  return (
    <Box mt={2}>
      <Tabs
        value={tab}
        onChange={(_, v) => setTab(v)}
        aria-label={`${props.label}: write or preview`}
        indicatorColor="primary"
      >
        <Tab value="write" label="Write" id={`${props.id}-write`} />
        <Tab value="preview" label="Preview" id={`${props.id}-preview`} />
      </Tabs>
      {tab === 'write' ? (
        <TextField
          id={props.id}
          label={props.label}
          required={props.required}
          multiline
          minRows={3}
          fullWidth
          variant="outlined"
          margin="dense"
          value={props.value}
          onChange={e => props.onChange(e.target.value)}
          helperText={props.helperText ?? 'Markdown'}
        />
      ) : (
        <Box
          role="region"
          aria-label={`${props.label} preview`}
          border={1}
          borderColor="divider"
          borderRadius={4}
          p={1}
          mt={1}
          minHeight={80}
        >
          {props.value.trim() ? (
            <ReviewMarkdown content={props.value} />
          ) : (
            <Typography variant="body2" color="textSecondary">
              Nothing written yet.
            </Typography>
          )}
        </Box>
      )}
    </Box>
  );
}
