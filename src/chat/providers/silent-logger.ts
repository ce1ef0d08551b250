/**
 * Both SDKs log unparsable stream chunks verbatim (answer text) through their logger; ours
 * keeps them quiet so content never reaches a log unless JARVIS_LOG_CONTENT says so.
 */
const noop = (): void => undefined;

/** A logger that drops everything, for the SDK clients. */
export const silentLogger = { error: noop, warn: noop, info: noop, debug: noop };
