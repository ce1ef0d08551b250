/**
 * The one way to declare an event: a versioned CloudEvents `type`, the topic it is
 * published to, and a zod schema for its `data`. Every other file infers types from these.
 */
import { z } from 'zod';

/** A declared event: its CloudEvents type string, topic and data schema. */
export interface EventDefinition<T extends string, S extends z.ZodType> {
  readonly type: T;
  readonly topic: string;
  readonly description: string;
  readonly data: S;
}

/** Declares one event type. `type` must end in a version suffix such as `.v1`. */
export function defineEvent<const T extends string, S extends z.ZodType>(
  def: EventDefinition<T, S>,
): EventDefinition<T, S> {
  if (!/^jarvis(\.[a-z_]+)+\.v\d+$/.test(def.type)) {
    throw new TypeError(`event type ${def.type} must look like jarvis.<area>.<name>.v<N>`);
  }
  return Object.freeze(def);
}

/** Shared field shapes. */
export const Ip = z.string().max(64).describe('client IP address as the API saw it');
/**
 * The client IP of the request that caused an action (an admin call, a logout), for the audit
 * trail. Absent on actions no request caused (an automatic block) and on events written before
 * the field existed. Adding an optional field keeps the type's version: readers accept fields
 * they do not know (zod strips them; the generated JSON Schemas leave objects open). Removing,
 * renaming or retyping a field is a new version.
 */
export const ActorIp = Ip.optional();
export const KeyId = z.string().min(1).max(64).describe('public id of an API key, never the secret');
export const RequestId = z.string().min(1).max(128);
export const IsoTime = z.string().datetime({ offset: true });
export const Permission = z.enum(['read', 'chat', 'stream', 'admin']);
export type Permission = z.infer<typeof Permission>;
