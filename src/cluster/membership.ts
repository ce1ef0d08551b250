/** A cluster worker's place in its instance (JARVIS_WORKERS > 1). */
import type { SiblingChannel } from './siblings.ts';

export interface ClusterMembership {
  /** The IPC channel to the primary and, through it, to the other workers. */
  readonly channel: SiblingChannel;
  /** The instance's id (JARVIS_INSTANCE_ID), shared by its workers. */
  readonly instanceId: string;
  readonly workers: number;
}

/** The id a worker publishes under: `<instance>-w<N>`. */
export function workerInstanceId(instanceId: string, workerId: number): string {
  return `${instanceId}-w${workerId}`;
}

/** True for the ids of `instanceId`'s workers (and the instance itself). */
export function isWorkerOf(instanceId: string): (instance: string) => boolean {
  const prefix = `${instanceId}-w`;
  return (instance) => instance === instanceId || (instance.startsWith(prefix) && /^\d+$/.test(instance.slice(prefix.length)));
}
