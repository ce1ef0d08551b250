/**
 * docker-compose.yml, read by two real Compose implementations: Compose v2's own loader
 * (compose-go, what `docker compose` runs) and Compose v1 (Debian's docker-compose). Each
 * validates against its schema, interpolates from the env file deploy.sh writes, and resolves
 * the merge keys; no Docker engine is needed. The resolved model is then checked for what the
 * deployment promises: hardening on every service, the seed's limits, KRaft Kafka, the
 * projector split, which service receives which secret, and what is published. (The configs it
 * mounts: monitoring-config.int.test.ts.)
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { composeV1, composeV2, type Model, type Parser } from '../support/deployment-compose.ts';

const root = path.resolve(import.meta.dirname, '../..');

const EXPECTED = ['kafka', 'jarvis-api', 'jarvis-projector', 'nginx', 'prometheus', 'alertmanager', 'grafana', 'otel-collector', 'jaeger'];
// The collector's image is FROM scratch (nothing to run a probe with); the projector listens on no port yet.
const NO_HEALTHCHECK = ['otel-collector', 'jarvis-projector'];

// Only in deployment/grafana.env: any other service that shows it got it from the wrong file.
const GRAFANA_PASSWORD = 'grafana-only-Zq7xV2mK9pL4wR8tN3bC6yH1';

/** A copy of the compose file beside the two env files, as deploy.sh leaves them (grafana.env omitted with null). */
function project(
  envLines: readonly string[],
  compose = readFileSync(path.join(root, 'docker-compose.yml'), 'utf8'),
  grafanaLines: readonly string[] | null = [`GF_SECURITY_ADMIN_PASSWORD=${GRAFANA_PASSWORD}`],
): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'jarvis-compose-'));
  mkdirSync(path.join(dir, 'deployment'));
  writeFileSync(path.join(dir, 'docker-compose.yml'), compose);
  writeFileSync(path.join(dir, 'deployment/.env'), envLines.join('\n') + '\n', { mode: 0o600 });
  if (grafanaLines) writeFileSync(path.join(dir, 'deployment/grafana.env'), grafanaLines.join('\n') + '\n', { mode: 0o600 });
  return dir;
}

function filledEnv(): string[] {
  return readFileSync(path.join(root, 'deployment/.env.example'), 'utf8').split('\n')
    .map((l) => l.replace(/^JARVIS_DOMAIN=$/, 'JARVIS_DOMAIN=jarvis.example.org'));
}

for (const parser of [composeV2, composeV1] satisfies Parser[]) {
  describe(parser.name, () => {
    let dir: string;
    let m: Model;
    before(async () => {
      dir = project(filledEnv());
      m = await parser.resolve(dir);
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    test('the stack has Kafka, the API, the projector, nginx, Prometheus, Alertmanager, Grafana, a collector and Jaeger', () => {
      assert.deepEqual(Object.keys(m.services).sort(), [...EXPECTED].sort());
    });

    test('every service runs read-only, without capabilities or privilege escalation, and restarts', () => {
      for (const [name, s] of Object.entries(m.services)) {
        assert.equal(s.readOnly, true, `${name}: read_only`);
        assert.deepEqual(s.capDrop, ['ALL'], `${name}: cap_drop`);
        assert.deepEqual(s.capAdd, [], `${name}: cap_add`);
        assert.ok(s.securityOpt.includes('no-new-privileges:true'), `${name}: no-new-privileges`);
        assert.equal(s.privileged, false, `${name}: privileged`);
        assert.equal(s.restart, 'unless-stopped', `${name}: restart`);
      }
    });

    test('every service has CPU and memory limits, the API 2 CPUs and 2 GB as in the seed, in several replicas', () => {
      for (const [name, s] of Object.entries(m.services)) assert.ok(s.cpus! > 0 && s.memoryBytes! > 0, `${name}: limits`);
      const api = m.services['jarvis-api']!;
      assert.equal(api.cpus, 2);
      assert.equal(api.memoryBytes, 2 * 1024 ** 3);
      assert.ok(api.replicas >= 2);
    });

    test('every service has a healthcheck, except the two that have nothing to probe', () => {
      for (const [name, s] of Object.entries(m.services)) {
        if (NO_HEALTHCHECK.includes(name)) assert.deepEqual(s.healthTest, [], `${name}: disabled on purpose`);
        else assert.ok(s.healthTest && s.healthTest.length > 1, `${name}: healthcheck`);
      }
    });

    test('only the API and the projector receive deployment/.env (its secrets)', () => {
      for (const [name, s] of Object.entries(m.services)) {
        const receives = name === 'jarvis-api' || name === 'jarvis-projector';
        assert.equal('JARVIS_JWT_SECRET' in s.environment, receives, `${name}: secrets`);
        // v2 keeps env_file in its model; v1 only merges it into environment
        const own = receives ? './deployment/.env' : name === 'grafana' ? './deployment/grafana.env' : undefined;
        assert.ok(s.envFiles.length === 0 || (s.envFiles.length === 1 && s.envFiles[0] === own), `${name}: ${s.envFiles.join(', ')}`);
      }
    });

    test("Grafana's admin password reaches the grafana service only: no other service's environment holds it", () => {
      assert.equal(m.services.grafana!.environment.GF_SECURITY_ADMIN_PASSWORD, GRAFANA_PASSWORD);
      assert.equal(m.services.grafana!.environment.GF_SECURITY_ADMIN_USER, 'admin');
      for (const [name, s] of Object.entries(m.services)) {
        if (name === 'grafana') continue;
        assert.ok(!('GF_SECURITY_ADMIN_PASSWORD' in s.environment) && !('GRAFANA_ADMIN_PASSWORD' in s.environment), `${name}: a Grafana password variable`);
        const holders = Object.entries(s.environment).filter(([, v]) => v.includes(GRAFANA_PASSWORD)).map(([k]) => k);
        assert.deepEqual(holders, [], `${name} holds Grafana's password`);
      }
    });

    test('without deployment/grafana.env the stack is not configured, naming the file', async () => {
      const bad = project(filledEnv(), undefined, null);
      try {
        await assert.rejects(parser.resolve(bad), /grafana\.env/);
      } finally {
        rmSync(bad, { recursive: true, force: true });
      }
    });

    test('the API uses Kafka, leaves projections to the projector, and trusts nginx only', () => {
      const api = m.services['jarvis-api']!.environment;
      assert.equal(api.KAFKA_BROKERS, 'kafka:9092');
      assert.equal(api.JARVIS_PROJECTOR, 'external');
      assert.equal(api.NODE_ENV, 'production');
      assert.equal(api.JARVIS_TRUSTED_PROXIES, m.services.nginx!.networks.backend?.ipv4_address);
      const projector = m.services['jarvis-projector']!;
      assert.deepEqual(projector.command, ['node', 'dist/src/projector/main.js']);
      assert.equal(projector.image, m.services['jarvis-api']!.image, 'same image');
    });

    test('Kafka runs in KRaft mode from the official image, at the version the tests use, on a network with no route out', () => {
      const k = m.services.kafka!;
      const pinned = /^PINNED_VERSION=([^\s#]+)/m.exec(readFileSync(path.join(root, 'scripts/kafka/start.sh'), 'utf8'))?.[1];
      assert.equal(k.image, `apache/kafka:${pinned}`);
      assert.equal(k.environment.KAFKA_PROCESS_ROLES, 'broker,controller');
      assert.equal(k.environment.KAFKA_ZOOKEEPER_CONNECT, undefined);
      assert.equal(k.environment.KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR, '1');
      assert.equal(m.networks.data!.internal, true);
    });

    test('only nginx publishes to the world (80, 443); UIs listen on loopback; the API and metrics ports never', () => {
      for (const [name, s] of Object.entries(m.services)) {
        for (const spec of s.ports) {
          if (name === 'nginx') assert.match(spec, /^:(80:8080|443:8443)$/, spec);
          else assert.match(spec, /^127\.0\.0\.1:/, `${name} publishes ${spec}`);
          assert.doesNotMatch(spec, /:(8000|9464)$/);
        }
      }
      assert.equal(m.services.nginx!.ports.length, 2);
    });

    test('Prometheus loads alerts/, Grafana is provisioned from dashboards/, traces go to the collector', () => {
      assert.ok(m.services.prometheus!.binds.includes('./alerts:/etc/prometheus/rules:ro'));
      const grafana = m.services.grafana!.binds;
      assert.ok(grafana.includes('./dashboards/provisioning/dashboards.yaml:/etc/grafana/provisioning/dashboards/jarvis.yaml:ro'));
      assert.ok(grafana.includes('./deployment/grafana/datasources.yaml:/etc/grafana/provisioning/datasources/jarvis.yaml:ro'));
      // where dashboards/provisioning/dashboards.yaml tells Grafana to look
      const provider = parse(readFileSync(path.join(root, 'dashboards/provisioning/dashboards.yaml'), 'utf8')) as { providers: { options: { path: string } }[] };
      assert.ok(grafana.includes(`./dashboards/generated:${provider.providers[0]!.options.path}:ro`), grafana.join(' '));
      assert.equal(m.services['jarvis-api']!.environment.OTEL_EXPORTER_OTLP_ENDPOINT, 'http://otel-collector:4318');
    });

    test('every file the stack mounts from deployment/ exists in the repository', () => {
      for (const s of Object.values(m.services)) {
        for (const b of s.binds) {
          const source = b.split(':')[0]!;
          if (!source.startsWith('./deployment/') || source === './deployment/certbot/www') continue; // deploy.sh creates the webroot
          assert.ok(existsSync(path.join(root, source)), `${source} is mounted but missing`);
        }
      }
    });

    test('the parser refuses a broken file (the validation is real)', async () => {
      const broken = readFileSync(path.join(root, 'docker-compose.yml'), 'utf8').replace('  kafka:\n', '  kafka:\n    privileged_mode: true\n');
      const bad = project(filledEnv(), broken);
      try {
        await assert.rejects(parser.resolve(bad), /privileged_mode/);
      } finally {
        rmSync(bad, { recursive: true, force: true });
      }
    });

    test('a missing domain stops the stack from being configured, naming the variable', async () => {
      const bad = project(['NODE_ENV=production']);
      try {
        await assert.rejects(parser.resolve(bad), /JARVIS_DOMAIN/);
      } finally {
        rmSync(bad, { recursive: true, force: true });
      }
    });
  });
}
