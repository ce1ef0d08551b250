/** Builds the envelopes a derivation emits: SECURITY_EVENT records and automatic block commands. */
import {
  ADMIN_TOPIC, IpBlockAdded, SECURITY_EVENT_KINDS, SECURITY_TOPIC,
  type DataOf, type Envelope, type SecurityEventData, type SecurityEventType,
} from '../../../events/index.ts';
import type { DerivedEvent } from '../types.ts';
import { derivedId, traceIdOf } from './ids.ts';

/** The fields of a security record that depend on what happened. */
export interface RecordFields {
  readonly ip: string | null;
  readonly principal: string | null;
  readonly request_id?: string | null;
  readonly outcome: SecurityEventData['outcome'];
  readonly reason: string;
  readonly details?: SecurityEventData['details'];
}

/** What a derived event is derived from: the raw event, or a synthetic cause (key expiry). */
export interface Cause {
  /** Seed of the deterministic id, and `caused_by`. */
  readonly id: string;
  readonly time: string;
  readonly traceparent?: string;
  readonly requestid?: string;
  readonly actorid?: string;
}

/** A SECURITY_EVENT of `kind` caused by `cause`, emitted under CloudEvents `source`. */
export function securityRecord(source: string, kind: SecurityEventType, cause: Cause | Envelope, f: RecordFields): DerivedEvent {
  const spec = SECURITY_EVENT_KINDS[kind];
  const requestId = f.request_id ?? cause.requestid ?? null;
  const data: SecurityEventData = {
    code: spec.code,
    severity: spec.severity,
    ip: f.ip,
    principal: f.principal,
    request_id: requestId,
    trace_id: traceIdOf(cause.traceparent),
    outcome: f.outcome,
    reason: f.reason.slice(0, 256),
    caused_by: cause.id,
    ...(f.details !== undefined && { details: f.details }),
  };
  const subject = f.ip ?? f.principal ?? undefined;
  const envelope: Envelope = {
    specversion: '1.0',
    id: derivedId(cause.id, kind),
    source,
    type: kind,
    time: cause.time,
    ...(subject !== undefined && { subject }),
    datacontenttype: 'application/json',
    ...(cause.traceparent !== undefined && { traceparent: cause.traceparent }),
    ...(requestId !== null && { requestid: requestId }),
    ...(cause.actorid !== undefined && { actorid: cause.actorid }),
    data,
  };
  return { topic: SECURITY_TOPIC, key: f.ip ?? f.principal ?? 'system', envelope };
}

/** The IpBlockAdded command for an automatic block, to publish on jarvis.admin. */
export function autoBlockCommand(source: string, cause: Envelope, data: Omit<DataOf<typeof IpBlockAdded>, 'block_id' | 'source' | 'created_by'>): DerivedEvent {
  const id = derivedId(cause.id, IpBlockAdded.type);
  const full: DataOf<typeof IpBlockAdded> = { block_id: `auto-${id}`, ...data, source: 'auto', created_by: null };
  const envelope: Envelope = {
    specversion: '1.0',
    id,
    source,
    type: IpBlockAdded.type,
    time: cause.time,
    subject: data.cidr,
    datacontenttype: 'application/json',
    ...(cause.traceparent !== undefined && { traceparent: cause.traceparent }),
    ...(cause.requestid !== undefined && { requestid: cause.requestid }),
    data: full,
  };
  return { topic: ADMIN_TOPIC, key: full.block_id, envelope };
}
