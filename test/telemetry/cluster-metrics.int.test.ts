/**
 * Metrics of several worker processes are aggregated by the primary's listener (prom-client's
 * AggregatorRegistry over node:cluster): counters and per-process gauges sum, shared-state
 * gauges take the max, breakers the worst state, rebuild progress the slowest.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';

test('the primary serves the sum of the workers counters and the right aggregate of each gauge', { timeout: 60_000 }, async () => {
  const script = path.join(import.meta.dirname, '../support/telemetry-cluster.ts');
  const child = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`no metrics URL within 30 s: ${stderr}`)), 30_000);
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        const m = /METRICS (\S+)/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(m[1] as string);
        }
      });
      child.once('exit', (code) => reject(new Error(`cluster exited ${code}: ${stderr}`)));
    });
    const res = await fetch(url);
    assert.equal(res.status, 200);
    const text = await res.text();
    // worker 1 counted 10 requests, worker 2 counted 20
    assert.match(text, /jarvis_http_requests_total\{method="GET",route="\/status",status_class="2xx"\} 30/);
    assert.match(text, /jarvis_http_request_duration_seconds_count\{method="GET",route="\/status",status_class="2xx"\} 30/);
    assert.match(text, /jarvis_tts_queue_depth 6/);
    assert.match(text, /jarvis_active_sessions 7/);
    assert.match(text, /jarvis_provider_breaker_state\{provider="local"\} 2/);
    assert.match(text, /jarvis_projection_rebuild_progress_ratio\{projection="sessions"\} 0.25/);
    assert.match(text, /jarvis_build_info\{version="1.0.0"\} 1/);
    assert.match(text, /process_cpu_user_seconds_total/);
    const notFound = await fetch(url.replace('/metrics', '/other'));
    assert.equal(notFound.status, 404);
    await notFound.text();
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
});
