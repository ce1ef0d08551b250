/** Every dashboard, in the order the docs list them. */
import { apiOverview } from './api-overview.ts';
import { eventPipeline } from './event-pipeline.ts';
import type { DashboardSpec } from './lib/spec.ts';
import { security } from './security.ts';
import { slos } from './slos.ts';
import { speech } from './speech.ts';

export const DASHBOARDS: readonly DashboardSpec[] = [apiOverview, security, speech, eventPipeline, slos];
