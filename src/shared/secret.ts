/**
 * A configured secret (JWT secret, API keys, passwords, provider keys, the audit HMAC key).
 * The value sits in a private field, so JSON, util.inspect, String(), template literals, spread,
 * Object.keys/entries and pino all see only the marker; `reveal()` is the one way to read it, called
 * where a library or a digest needs the raw value. Limits, by design: structuredClone and
 * postMessage copy no private field (the copy is a plain `{}` without `reveal`), and deepEqual
 * sees every two Secrets as equal — compare `reveal()`. Processes that need the configuration
 * (cluster workers, the projector) parse the environment themselves; none is sent one.
 */
import { inspect } from 'node:util';

/** What a redacted value reads as, in logs, spans and serialized secrets. */
export const REDACTED = '[REDACTED]';

export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  /** The raw value: only where it is handed to a library or a digest, never to a log or message. */
  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return REDACTED;
  }
}

/** `value` wrapped, or undefined kept undefined (an optional variable left unset). */
export function optSecret(value: string | undefined): Secret | undefined {
  return value === undefined ? undefined : new Secret(value);
}
