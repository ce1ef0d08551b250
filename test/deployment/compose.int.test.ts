/**
 * docker-compose.yml, read by two real Compose implementations: Compose v2's own loader
 * (compose-go, what `docker compose` runs) and Compose v1 (Debian's docker-compose). Each
 * validates against its schema, interpolates from the env file deploy.sh writes, and resolves
 * the merge keys; no Docker engine is needed. The resolved model is then checked for what the
 * deployment promises: hardening on every service, the seed's limits, KRaft Kafka, the
 * projector split, which service receives which secret, what is published, and who can reach
 * whom: the networks keep a taken-over API container away from Alertmanager, Grafana and Jaeger,
 * while every address the configs use still has a network both ends share
 * (test/support/deployment-reach.ts). (The configs it mounts: monitoring-config.int.test.ts.)
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { composeV1, composeV2, type Model, type Parser } from '../support/deployment-compose.ts';
import { addresses, connected, hasRouteOut, sharedNetworks, unreachable } from '../support/deployment-reach.ts';

const root = path.resolve(import.meta.dirname, '../..');

const EXPECTED = ['kafka', 'jarvis-api', 'jarvis-projector', 'nginx', 'prometheus', 'alertmanager', 'grafana', 'otel-collector', 'jaeger'];
// The collector's image is FROM scratch (nothing to run a probe with); the projector listens on no port yet.
const NO_HEALTHCHECK = ['otel-collector', 'jarvis-projector'];

// Monitoring services an intruder in the API must not reach: Alertmanager's API (silences) has no
// login, Jaeger's query API serves every trace, Grafana holds the dashboards and its login page.
const OFF_LIMITS = ['alertmanager', 'grafana', 'jaeger'];

// Prometheus flags that would let a client change it or write into it (all off by default).
const PROMETHEUS_ORDERS = /^--(web\.enable-(admin-api|lifecycle|remote-write-receiver|otlp-receiver)|enable-feature=.*(remote-write-receiver|otlp-write-receiver))/;

/**
 * The services an attacker may hold: those that run the API's image (our code, every secret of
 * deployment/.env) and those published beyond loopback (they face the internet).
 */
function exposed(m: Model): string[] {
  const image = m.services['jarvis-api']!.image;
  return Object.entries(m.services)
    .filter(([, s]) => s.image === image || s.ports.some((p) => !p.startsWith('127.0.0.1:')))
    .map(([name]) => name);
}

/** The model with one service moved to other networks: what a careless edit would render. */
function moved(m: Model, service: string, networks: string[]): Model {
  const s = m.services[service]!;
  return { ...m, services: { ...m.services, [service]: { ...s, networks: Object.fromEntries(networks.map((n) => [n, null])) } } };
}

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

    test('a taken-over API container cannot reach alertmanager, grafana or jaeger: they share no network with it (nor with the projector or nginx)', () => {
      const side = exposed(m);
      assert.deepEqual([...side].sort(), ['jarvis-api', 'jarvis-projector', 'nginx']);
      for (const from of side) {
        for (const to of OFF_LIMITS) assert.deepEqual(sharedNetworks(m, from, to), [], `${from} and ${to} share a network`);
      }
    });

    test('the API, the projector and nginx share networks only with each other and with services a config connects them to (Kafka, the collector, Prometheus)', () => {
      const side = exposed(m);
      const list = addresses(m, root);
      const neighbours = new Set<string>();
      for (const other of Object.keys(m.services).filter((n) => !side.includes(n))) {
        const near = side.filter((s) => sharedNetworks(m, s, other).length > 0);
        if (near.length === 0) continue;
        neighbours.add(other);
        assert.ok(side.some((s) => connected(list, s, other)), `${other} shares a network with ${near.join(', ')}, and no config connects it with any of them`);
      }
      // What that leaves in reach, derived above; spelled out so a change to it is seen in review.
      assert.deepEqual([...neighbours].sort(), ['kafka', 'otel-collector', 'prometheus']);
    });

    test('every address the monitoring configs use (prometheus scrape targets, alerting, grafana datasources, collector exporters) is reachable: both ends share a network', () => {
      const list = addresses(m, root);
      // Each source is read, so an empty reading cannot pass for a reachable one.
      for (const source of [/^prometheus\.yml scrape job /, /^prometheus\.yml alerting$/, /^grafana data source /, /^collector exporter /, /^nginx upstream server$/, /^environment /]) {
        assert.ok(list.some((a) => source.test(a.what)), `no address read from ${source}`);
      }
      assert.deepEqual(unreachable(m, list), []);
    });

    test('the reachability check is real: moved to a network of its own, a service breaks every address it uses or serves, each named', () => {
      const list = addresses(m, root);
      const alone = (service: string): string => unreachable(moved(m, service, ['nowhere']), list).join('\n');
      assert.match(alone('prometheus'), /^prometheus → jarvis-api:9464 \(prometheus\.yml scrape job jarvis-api\): no shared network/m);
      assert.match(alone('prometheus'), /^prometheus → alertmanager:9093 \(prometheus\.yml alerting\)/m);
      assert.match(alone('otel-collector'), /^jarvis-api → otel-collector:4318 \(environment OTEL_EXPORTER_OTLP_ENDPOINT\)/m);
      assert.match(alone('otel-collector'), /^otel-collector → jaeger:4317 \(collector exporter otlp\/jaeger\)/m);
      assert.match(alone('grafana'), /^grafana → prometheus:9090 \(grafana data source Prometheus\)/m);
      assert.match(alone('grafana'), /^grafana → jaeger:16686 \(grafana data source Jaeger\)/m);
      assert.match(alone('jarvis-api'), /^nginx → jarvis-api:8000 \(nginx upstream server\)/m);
      // A receiver outside the stack needs a route out: on the internal network only, Alertmanager has none.
      const hook = { from: 'alertmanager', host: 'hooks.example.com', port: '443', what: 'alertmanager.yml url' };
      assert.match(unreachable(moved(m, 'alertmanager', ['data']), [hook]).join('\n'), /^alertmanager → hooks\.example\.com:443 .*all internal/m);
      assert.deepEqual(unreachable(m, [hook]), []);
    });

    test('Alertmanager keeps a route out for the receivers an operator adds, and Grafana and Jaeger a network Docker publishes their loopback ports from', () => {
      assert.ok(hasRouteOut(m, 'alertmanager'), 'alertmanager: every network is internal');
      // Docker publishes no port of a container whose networks are all internal (moby/moby#36174).
      for (const [name, s] of Object.entries(m.services)) {
        if (s.ports.length > 0) assert.ok(hasRouteOut(m, name), `${name} publishes ${s.ports.join(', ')} from internal networks only`);
      }
      assert.ok(m.services.grafana!.ports.length > 0 && m.services.jaeger!.ports.length > 0);
    });

    test('Prometheus, which the API can reach, takes no orders from it: no admin, lifecycle or write endpoint is enabled', () => {
      const side = exposed(m);
      const prometheus = Object.entries(m.services).filter(([, s]) => s.image?.startsWith('prom/prometheus:'));
      assert.ok(prometheus.some(([name]) => side.some((x) => sharedNetworks(m, x, name).length > 0)), 'the API reaches a Prometheus (it is scraped)');
      for (const [name, s] of prometheus) assert.deepEqual((s.command ?? []).filter((f) => PROMETHEUS_ORDERS.test(f)), [], name);
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
