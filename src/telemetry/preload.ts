/**
 * Loaded with `node --import ./src/telemetry/preload.ts` (or the built .js) before the app, so
 * the instrumentations hook http, koa, kafkajs and undici before anything imports them.
 * ESM modules are only patched through the import-in-the-middle loader hook, registered first.
 * Pending spans are flushed on normal exit here; on a signal the app's graceful shutdown calls
 * `activeTelemetry()?.shutdown()` (no signal handler here: one would stop Node's default exit).
 */
import { register } from 'node:module';

register('@opentelemetry/instrumentation/hook.mjs', import.meta.url);

const { startTelemetry } = await import('./otel.ts');
const telemetry = startTelemetry();

process.once('beforeExit', () => {
  telemetry.shutdown().catch(() => {
    // export failures at exit are not worth a crash or a stack trace
  });
});
