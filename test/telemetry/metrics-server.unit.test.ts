import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMetrics } from '../../src/telemetry/metrics.ts';
import { serveMetrics } from '../../src/telemetry/server.ts';

test('the metrics listener answers GET /metrics with the exposition and 404 for anything else', async () => {
  const m = createMetrics({ exemplars: false, processMetrics: false });
  m.observeHttp({ method: 'GET', route: '/health', status: 200, seconds: 0.001 });
  const server = await serveMetrics({ host: '127.0.0.1', port: 0, registry: m.registry });
  try {
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    const ok = await fetch(server.url);
    assert.equal(ok.status, 200);
    assert.match(ok.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    assert.match(await ok.text(), /jarvis_http_requests_total\{method="GET",route="\/health",status_class="2xx"\} 1/);

    const base = server.url.replace(/\/metrics$/, '');
    for (const path of ['/', '/metrics/', '/health', '/metricsx']) {
      const res = await fetch(base + path);
      assert.equal(res.status, 404, path);
      await res.text();
    }
    const post = await fetch(server.url, { method: 'POST' });
    assert.equal(post.status, 404);
    await post.text();
  } finally {
    await server.close();
  }
});

test('with exemplars on, the listener serves OpenMetrics', async () => {
  const m = createMetrics({ exemplars: true, processMetrics: false });
  const server = await serveMetrics({ host: '127.0.0.1', port: 0, registry: m.registry });
  try {
    const res = await fetch(server.url);
    assert.match(res.headers.get('content-type') ?? '', /^application\/openmetrics-text; version=1\.0\.0/);
    assert.match(await res.text(), /# EOF\n$/);
  } finally {
    await server.close();
  }
});

test('serveMetrics refuses to start with neither a registry nor cluster mode', async () => {
  await assert.rejects(serveMetrics({ host: '127.0.0.1', port: 0 }), TypeError);
});
