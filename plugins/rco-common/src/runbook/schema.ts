import { z } from 'zod';
import { DateTime, Duration } from 'luxon';
import { GATE_IDS, PILLAR_IDS, REQUIRED_SECTIONS } from '../catalogue';

/** An ISO 8601 duration such as `PT15M` or `P30D`, checked with luxon. */
const isoDuration = z
  .string()
  .refine(value => Duration.fromISO(value).isValid, {
    message: 'must be an ISO 8601 duration such as PT15M or P30D',
  });

/** A calendar date `YYYY-MM-DD`. */
const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date written YYYY-MM-DD');

const semver = z
  .string()
  .regex(
    /^\d+\.\d+(\.\d+)?(-[0-9A-Za-z.-]+)?$/,
    'must be a version such as 1.3 or 1.3.0',
  );

const slug = z
  .string()
  .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'must be lower-case words joined by -');

const sectionSchema = z
  .object({
    id: slug,
    number: z.number().int().positive(),
    title: z.string().min(1),
    body: z.string().trim().min(1, 'must not be empty'),
  })
  .strict();

const glossaryEntrySchema = z
  .object({
    term: z.string().min(1),
    expansion: z.string().min(1),
    definition: z.string().min(1),
    /** Terms the glossary keeps apart from this one (RCO is not RCOT). */
    distinctFrom: z.array(z.string().min(1)).optional(),
  })
  .strict();

const checklistItemSchema = z
  .object({
    gate: z.enum(GATE_IDS),
    item: z.string().min(1),
    verification: z.string().min(1),
    /** Section (id) that describes how the item is verified. */
    section: slug,
    /** Tightens the gate's default maximum evidence age. */
    maxAge: isoDuration.optional(),
  })
  .strict();

const pillarSchema = z
  .object({
    id: z.enum(PILLAR_IDS),
    title: z.string().min(1),
    requirements: z.array(z.string().min(1)).min(1),
  })
  .strict();

const signOffRoleSchema = z
  .object({
    role: z.enum(['po', 'dpo', 'security']),
    title: z.string().min(1),
    group: z.string().min(1),
    scope: z.string().min(1),
  })
  .strict();

const changelogEntrySchema = z
  .object({
    version: semver,
    date: isoDate,
    changes: z.array(z.string().min(1)).min(1),
  })
  .strict();

/**
 * Runtime schema of a runbook document: the one source of truth for its shape. The TypeScript
 * type {@link Runbook} is inferred from it.
 *
 * @public
 */
export const runbookSchema = z
  .object({
    apiVersion: z.literal('rco.helix.dev/v1'),
    kind: z.literal('Runbook'),
    metadata: z
      .object({
        service: z.string().min(1),
        title: z.string().min(1),
        version: semver,
        date: isoDate,
        status: z.enum(['draft', 'in-review', 'approved', 'superseded']),
        scope: z.string().min(1),
        repository: z.string().url().optional(),
        /**
         * How often the runbook must be reviewed, even when nothing changed (ISO 8601 duration
         * such as P90D), and the date it last was: together they say when the next review is due.
         */
        reviewEvery: isoDuration
          .refine(value => Duration.fromISO(value).toMillis() > 0, {
            message: 'must be a duration longer than zero',
          })
          .optional(),
        lastReviewed: isoDate
          .refine(value => DateTime.fromISO(value, { zone: 'utc' }).isValid, {
            message: 'must be a real calendar date',
          })
          .optional(),
      })
      .strict(),
    targets: z
      .object({
        rto: isoDuration,
        rpo: isoDuration,
        rollbackDryRunMaxAge: isoDuration,
      })
      .strict(),
    sections: z.array(sectionSchema).min(1),
    glossary: z.array(glossaryEntrySchema).min(1),
    gateChecklist: z.array(checklistItemSchema),
    pillars: z.array(pillarSchema),
    signOffRoles: z.array(signOffRoleSchema),
    changelog: z.array(changelogEntrySchema).min(1),
  })
  .strict()
  .superRefine((doc, ctx) => {
    const ids = new Set<string>();
    doc.sections.forEach((section, index) => {
      if (ids.has(section.id)) {
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          path: ['sections', index, 'id'],
          message: `duplicate section id "${section.id}"`,
        });
      }
      ids.add(section.id);
    });
    REQUIRED_SECTIONS.forEach((required, index) => {
      const found = doc.sections.find(s => s.id === required.id);
      if (!found) {
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          path: ['sections'],
          message: `required section ${index + 1} "${required.title}" (id ${
            required.id
          }) is missing`,
        });
      } else if (found.number !== index + 1) {
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          path: ['sections', doc.sections.indexOf(found), 'number'],
          message: `section "${required.id}" must be number ${index + 1}, not ${
            found.number
          }`,
        });
      }
    });
    const gates = new Set<string>();
    doc.gateChecklist.forEach((item, index) => {
      if (gates.has(item.gate)) {
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          path: ['gateChecklist', index, 'gate'],
          message: `gate "${item.gate}" is listed twice`,
        });
      }
      gates.add(item.gate);
      if (!ids.has(item.section)) {
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          path: ['gateChecklist', index, 'section'],
          message: `refers to section "${item.section}", which the runbook does not have`,
        });
      }
    });
    if (!doc.changelog.some(entry => entry.version === doc.metadata.version)) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['changelog'],
        message: `has no entry for the document's own version ${doc.metadata.version}`,
      });
    }
  });

/**
 * A service's production runbook.
 *
 * @public
 */
export type Runbook = z.infer<typeof runbookSchema>;

/** @public */
export type RunbookSection = Runbook['sections'][number];
/** @public */
export type GlossaryEntry = Runbook['glossary'][number];
/** @public */
export type GateChecklistItem = Runbook['gateChecklist'][number];
/** @public */
export type ChangelogEntry = Runbook['changelog'][number];
