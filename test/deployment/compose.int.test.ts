/**
 * docker-compose.yml, read by a real Compose implementation (Debian's docker-compose,
 * `docker-compose config`: schema validation, interpolation, merge keys; no engine needed),
 * and the resolved model checked for what the deployment promises: hardening on every
 * service, the seed's limits, KRaft Kafka, the projector split, and what is published.
 * scripts/deployment/install-tools.sh installs docker-compose (scripts/test-setup.d/nginx.sh runs it).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../..');

interface Service {
  image?: string;
  build?: unknown;
  command?: string[];
  read_only?: boolean;
  cap_drop?: string[];
  cap_add?: string[];
  security_opt?: string[];
  restart?: string;
  privileged?: boolean;
  healthcheck?: { test?: string[]; disable?: boolean };
  deploy?: { replicas?: number; resources?: { limits?: { cpus?: number | string; memory?: string } } };
  environment?: Record<string, string | null>;
  env_file?: string[];
  ports?: ({ published?: string | number; target?: number; host_ip?: string } | string)[];
  volumes?: string[];
  networks?: Record<string, unknown>;
}

let dir: string;
let services: Record<string, Service>;
let model: { networks: Record<string, { internal?: boolean }> };

/** docker-compose config on a copy of the file with a filled-in env file, as deploy.sh writes it. */
async function resolve(envLines: string[]): Promise<string> {
  writeFileSync(path.join(dir, 'deployment/.env'), envLines.join('\n') + '\n', { mode: 0o600 });
  const { stdout } = await run('docker-compose', ['--env-file', 'deployment/.env', '-f', 'docker-compose.yml', 'config'], { cwd: dir, timeout: 60_000 });
  return stdout;
}

before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'jarvis-compose-'));
  mkdirSync(path.join(dir, 'deployment'));
  copyFileSync(path.join(root, 'docker-compose.yml'), path.join(dir, 'docker-compose.yml'));
  const example = readFileSync(path.join(root, 'deployment/.env.example'), 'utf8').split('\n');
  const filled = example.map((l) => l.replace(/^JARVIS_DOMAIN=$/, 'JARVIS_DOMAIN=jarvis.example.org').replace(/^GRAFANA_ADMIN_PASSWORD=$/, 'GRAFANA_ADMIN_PASSWORD=not-a-real-password'));
  const resolved = parse(await resolve(filled)) as { services: Record<string, Service>; networks: Record<string, { internal?: boolean }> };
  services = resolved.services;
  model = resolved;
});

after(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

const EXPECTED = ['kafka', 'jarvis-api', 'jarvis-projector', 'nginx', 'prometheus', 'alertmanager', 'grafana', 'otel-collector', 'jaeger'];

test('the stack has Kafka, the API, the projector, nginx, Prometheus, Alertmanager, Grafana, a collector and Jaeger', () => {
  assert.deepEqual(Object.keys(services).sort(), [...EXPECTED].sort());
});

test('every service runs read-only, without capabilities or privilege escalation, and restarts', () => {
  for (const [name, s] of Object.entries(services)) {
    assert.equal(s.read_only, true, `${name}: read_only`);
    assert.deepEqual(s.cap_drop, ['ALL'], `${name}: cap_drop`);
    assert.equal(s.cap_add, undefined, `${name}: cap_add`);
    assert.ok(s.security_opt?.includes('no-new-privileges:true'), `${name}: no-new-privileges`);
    assert.notEqual(s.privileged, true, `${name}: privileged`);
    assert.equal(s.restart, 'unless-stopped', `${name}: restart`);
  }
});

test('every service has CPU and memory limits, the API 2 CPUs and 2 GB as in the seed', () => {
  for (const [name, s] of Object.entries(services)) {
    const limits = s.deploy?.resources?.limits;
    assert.ok(limits?.cpus !== undefined && limits.memory !== undefined, `${name}: limits`);
  }
  const api = services['jarvis-api']!.deploy!;
  assert.equal(Number(api.resources!.limits!.cpus), 2);
  assert.equal(api.resources!.limits!.memory, '2G');
  assert.ok((api.replicas ?? 1) >= 2, 'several API instances');
});

// The collector's image is FROM scratch (nothing to run a probe with); the projector listens on no port yet.
const NO_HEALTHCHECK = ['otel-collector', 'jarvis-projector'];

test('every service has a healthcheck, except the two that have nothing to probe', () => {
  for (const [name, s] of Object.entries(services)) {
    if (NO_HEALTHCHECK.includes(name)) {
      // `disable: true`, which Compose normalises to the test ["NONE"]
      assert.ok(s.healthcheck?.disable === true || s.healthcheck?.test?.[0] === 'NONE');
      continue;
    }
    assert.ok(s.healthcheck?.test && s.healthcheck.test.length > 1, `${name}: healthcheck`);
  }
});

test('only the API and the projector receive deployment/.env (its secrets)', () => {
  for (const [name, s] of Object.entries(services)) {
    const hasSecrets = Object.keys(s.environment ?? {}).includes('JARVIS_JWT_SECRET');
    assert.equal(hasSecrets, name === 'jarvis-api' || name === 'jarvis-projector', `${name}: secrets`);
  }
});

test('the API uses Kafka, leaves projections to the projector, and trusts nginx only', () => {
  const api = services['jarvis-api']!.environment!;
  assert.equal(api.KAFKA_BROKERS, 'kafka:9092');
  assert.equal(api.JARVIS_PROJECTOR, 'external');
  const nginxAddress = (services.nginx!.networks!.backend as { ipv4_address?: string }).ipv4_address;
  assert.equal(api.JARVIS_TRUSTED_PROXIES, nginxAddress);
  assert.equal(api.NODE_ENV, 'production');
  const projector = services['jarvis-projector']!;
  assert.deepEqual(projector.command, ['node', 'dist/src/projector/main.js']);
  assert.equal(projector.image, services['jarvis-api']!.image, 'same image');
});

test('Kafka runs in KRaft mode from the official image, at the version the tests use', () => {
  const k = services.kafka!;
  const pinned = /^PINNED_VERSION=([^\s#]+)/m.exec(readFileSync(path.join(root, 'scripts/kafka/start.sh'), 'utf8'))?.[1];
  assert.equal(k.image, `apache/kafka:${pinned}`);
  assert.equal(k.environment!.KAFKA_PROCESS_ROLES, 'broker,controller');
  assert.equal(k.environment!.KAFKA_ZOOKEEPER_CONNECT, undefined);
  assert.equal(k.environment!.KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR, '1');
  assert.equal(model.networks.data!.internal, true, 'the event log network has no route out');
});

test('only nginx publishes to the world (80, 443); UIs listen on loopback; the API port is never published', () => {
  for (const [name, s] of Object.entries(services)) {
    for (const p of s.ports ?? []) {
      const spec = typeof p === 'string' ? p : `${p.host_ip ?? ''}:${p.published}:${p.target}`;
      if (name === 'nginx') assert.match(spec, /^:?(80:8080|443:8443)$/, spec);
      else assert.match(spec, /^127\.0\.0\.1:/, `${name} publishes ${spec}`);
      assert.doesNotMatch(spec, /:(8000|9464)$/);
    }
  }
});

test('Prometheus loads alerts/, Grafana is provisioned from dashboards/, traces go to Jaeger', () => {
  const mounts = (name: string): string[] => (services[name]!.volumes ?? []).map((v) => v.replace(dir, '.'));
  assert.ok(mounts('prometheus').includes('./alerts:/etc/prometheus/rules:ro'));
  assert.ok(mounts('grafana').includes('./dashboards/provisioning:/etc/grafana/provisioning:ro'));
  assert.ok(mounts('grafana').includes('./dashboards/generated:/etc/grafana/dashboards:ro'));
  const prom = parse(readFileSync(path.join(root, 'deployment/prometheus/prometheus.yml'), 'utf8')) as { rule_files: string[] };
  assert.deepEqual(prom.rule_files, ['/etc/prometheus/rules/*.yaml']);
  const otel = parse(readFileSync(path.join(root, 'deployment/otel-collector/config.yaml'), 'utf8')) as { exporters: Record<string, { endpoint: string }> };
  assert.equal(otel.exporters['otlp/jaeger']!.endpoint, 'jaeger:4317');
  assert.equal(services['jarvis-api']!.environment!.OTEL_EXPORTER_OTLP_ENDPOINT, 'http://otel-collector:4318');
});

test('every file the stack mounts from deployment/ exists in the repository', () => {
  for (const s of Object.values(services)) {
    for (const v of s.volumes ?? []) {
      const source = v.split(':')[0]!;
      if (!source.startsWith(path.join(dir, 'deployment'))) continue;
      const rel = path.relative(dir, source);
      if (rel === 'deployment/certbot/www') continue; // created by deploy.sh
      assert.ok(existsSync(path.join(root, rel)), `${rel} is mounted but missing`);
    }
  }
});

test('the parser refuses a broken file (the validation is real)', async () => {
  const good = readFileSync(path.join(dir, 'docker-compose.yml'), 'utf8');
  try {
    writeFileSync(path.join(dir, 'docker-compose.yml'), good.replace('  kafka:\n', '  kafka:\n    privileged_mode: true\n'));
    await assert.rejects(resolve(['JARVIS_DOMAIN=a.example', 'GRAFANA_ADMIN_PASSWORD=x']), /privileged_mode/);
  } finally {
    writeFileSync(path.join(dir, 'docker-compose.yml'), good);
  }
});

test('a missing domain stops the stack from being configured, naming the variable', async () => {
  await assert.rejects(resolve(['GRAFANA_ADMIN_PASSWORD=x']), /JARVIS_DOMAIN/);
});

test('promtool accepts the Prometheus configuration', async () => {
  const { stdout } = await run('promtool', ['check', 'config', path.join(root, 'deployment/prometheus/prometheus.yml')], { timeout: 30_000 });
  assert.match(stdout, /SUCCESS/);
});

test('amtool accepts the Alertmanager configuration', async () => {
  const { stdout } = await run('amtool', ['check-config', path.join(root, 'deployment/alertmanager/alertmanager.yml')], { timeout: 30_000 });
  assert.match(stdout, /SUCCESS/);
});
