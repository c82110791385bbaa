import { LoggerService } from '@backstage/backend-plugin-api';
import { DecisionStore } from '../database/DecisionStore';
import { EvidenceStore } from '../database/EvidenceStore';
import { EvidenceService } from '../evidence/EvidenceService';

/** Placeholder until the demo set lands. */
export async function seedDemoEvidence(_options: {
  evidenceService: EvidenceService;
  evidenceStore: EvidenceStore;
  decisions: DecisionStore;
  logger: LoggerService;
}) {}
