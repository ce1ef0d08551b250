import assert from 'node:assert/strict';
import { test } from 'node:test';
import { auditIdFor } from '../../src/audit/audit-id.ts';
import { applied } from '../support/audit-records.ts';

test('the Audit-Id computed from the causing event id is the id of the record the projector derives from it', () => {
  for (const kind of ['jarvis.security.auth_failed.v1', 'jarvis.security.permission_denied.v1', 'jarvis.security.rate_limit_exceeded.v1'] as const) {
    const cause = `raw-event-${kind}`;
    const derived = applied({ kind, cause, timeMs: Date.UTC(2026, 4, 1) }).envelope;
    assert.equal(auditIdFor(cause, kind), derived.id);
    assert.equal(derived.data && (derived.data as { caused_by: string }).caused_by, cause);
  }
  assert.notEqual(auditIdFor('a', 'jarvis.security.auth_failed.v1'), auditIdFor('a', 'jarvis.security.brute_force_suspected.v1'));
});
