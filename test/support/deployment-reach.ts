/**
 * Who connects to whom in the compose stack, as its configuration says, and whether the
 * networks let it: a container can open a connection to another only if the two share a network
 * (Docker's DNS answers a service's name only there, and it isolates one bridge from another),
 * and to the world only through a network that is not `internal`.
 *
 * The addresses are read from where the stack takes them: every service's environment, and the
 * files it mounts from deployment/ (Prometheus's targets and alerting, Grafana's data sources,
 * the collector's exporters, Alertmanager's receivers, nginx's upstreams and proxy_pass). A
 * mounted file of deployment/ with no reader here is an error, so a new config cannot slip by.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import type { Model } from './deployment-compose.ts';

/** One connection a service opens, and the config line that asks for it. */
export interface Address {
  readonly from: string;
  readonly host: string;
  readonly port: string;
  /** Where it was read, e.g. `prometheus.yml scrape job jarvis-api`. */
  readonly what: string;
}

type Target = Omit<Address, 'from'>;
type Reader = (text: string) => Target[];

const LOOPBACK = new Set(['localhost', '127.0.0.1', '::1', '0.0.0.0']);

/** `host:port` or `scheme://host[:port][/path]`. */
function hostPort(address: string, what: string): Target {
  if (address.includes('://')) {
    const u = new URL(address);
    return { host: u.hostname, port: u.port || (u.protocol === 'https:' ? '443' : '80'), what };
  }
  const i = address.lastIndexOf(':');
  return { host: address.slice(0, i), port: address.slice(i + 1), what };
}

type SdOwner = Record<string, unknown> & {
  static_configs?: { targets?: string[] }[];
  dns_sd_configs?: { names?: string[]; port?: number }[];
};

/** The targets of a scrape job or an alertmanagers entry; other discovery kinds are not read yet. */
function discovered(entry: SdOwner, what: string): Target[] {
  const other = Object.keys(entry).filter((k) => k.endsWith('_sd_configs') && k !== 'dns_sd_configs');
  if (other.length > 0) throw new Error(`${what}: ${other.join(', ')} is not read by test/support/deployment-reach.ts`);
  return [
    ...(entry.static_configs ?? []).flatMap((c) => (c.targets ?? []).map((t) => hostPort(t, what))),
    ...(entry.dns_sd_configs ?? []).flatMap((c) => (c.names ?? []).map((n) => ({ host: n, port: String(c.port), what }))),
  ];
}

const prometheus: Reader = (text) => {
  const doc = parse(text) as {
    alerting?: { alertmanagers?: SdOwner[] };
    scrape_configs?: (SdOwner & { job_name: string })[];
    remote_write?: { url: string }[];
    remote_read?: { url: string }[];
  };
  return [
    ...(doc.alerting?.alertmanagers ?? []).flatMap((a) => discovered(a, 'prometheus.yml alerting')),
    ...(doc.scrape_configs ?? []).flatMap((j) => discovered(j, `prometheus.yml scrape job ${j.job_name}`)),
    ...[...(doc.remote_write ?? []), ...(doc.remote_read ?? [])].map((r) => hostPort(r.url, 'prometheus.yml remote storage')),
  ];
};

const grafanaDatasources: Reader = (text) =>
  ((parse(text) as { datasources?: { name: string; url?: string }[] }).datasources ?? [])
    .filter((d) => d.url)
    .map((d) => hostPort(d.url!, `grafana data source ${d.name}`));

const collector: Reader = (text) =>
  Object.entries((parse(text) as { exporters?: Record<string, { endpoint?: string } | null> }).exporters ?? {})
    .filter(([, e]) => e?.endpoint)
    .map(([name, e]) => hostPort(e!.endpoint!, `collector exporter ${name}`));

/** Every `…url` and `…smarthost` value, wherever a receiver or the global block has one. */
const alertmanager: Reader = (text) => {
  const found: Target[] = [];
  const walk = (v: unknown, key: string): void => {
    if (typeof v === 'string' && /(^|_)(url|smarthost)$/.test(key)) found.push(hostPort(v, `alertmanager.yml ${key}`));
    else if (Array.isArray(v)) v.forEach((x) => walk(x, key));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, k);
  };
  walk(parse(text), '');
  return found;
};

/** `server host:port` in upstreams, and `proxy_pass` to anything but a declared upstream. */
const nginx: Reader = (raw) => {
  const text = raw.replace(/#.*$/gm, '');
  const upstreams = new Set([...text.matchAll(/\bupstream\s+([\w.-]+)\s*\{/g)].map((m) => m[1]!));
  return [
    ...[...text.matchAll(/^\s*server\s+([\w.-]+):(\d+)/gm)].map((m) => ({ host: m[1]!, port: m[2]!, what: 'nginx upstream server' })),
    ...[...text.matchAll(/\bproxy_pass\s+(https?):\/\/([\w.-]+)(?::(\d+))?/g)]
      .filter((m) => !upstreams.has(m[2]!))
      .map((m) => ({ host: m[2]!, port: m[3] ?? (m[1] === 'https' ? '443' : '80'), what: 'nginx proxy_pass' })),
  ];
};

/** Which reader understands a file, by where the service mounts it. */
const READERS: readonly { readonly target: RegExp; readonly read: Reader }[] = [
  { target: /\/prometheus\.yml$/, read: prometheus },
  { target: /\/provisioning\/datasources\/[^/]+\.ya?ml$/, read: grafanaDatasources },
  { target: /\/otelcol\/config\.yaml$/, read: collector },
  { target: /\/alertmanager\.yml$/, read: alertmanager },
  { target: /^\/etc\/nginx\/templates\/[^/]+\.template$/, read: nginx },
];

/** Every address the stack's services connect to: their environment and the deployment/ files they mount. */
export function addresses(m: Model, root: string): Address[] {
  const names = Object.keys(m.services);
  const inEnv = new RegExp(String.raw`(?:^|[\s,/@])(${names.map((n) => n.replace(/[.-]/g, '\\$&')).join('|')}):(\d+)`, 'g');
  const out: Address[] = [];
  for (const [from, s] of Object.entries(m.services)) {
    for (const [key, value] of Object.entries(s.environment)) {
      for (const match of value.matchAll(inEnv)) out.push({ from, host: match[1]!, port: match[2]!, what: `environment ${key}` });
    }
    // The files of one reader are read together, as nginx includes all its templates at once.
    const texts = new Map<Reader, string[]>();
    for (const bind of s.binds) {
      const [source, target] = bind.split(':') as [string, string];
      const file = path.join(root, source);
      if (!source.startsWith('./deployment/') || !existsSync(file) || !statSync(file).isFile()) continue;
      const reader = READERS.find((r) => r.target.test(target));
      if (!reader) throw new Error(`${from} mounts ${source} at ${target}, which test/support/deployment-reach.ts cannot read for addresses`);
      texts.set(reader.read, [...(texts.get(reader.read) ?? []), readFileSync(file, 'utf8')]);
    }
    for (const [read, parts] of texts) out.push(...read(parts.join('\n')).map((t) => ({ from, ...t })));
  }
  return out;
}

/** The networks two services are both on. */
export function sharedNetworks(m: Model, a: string, b: string): string[] {
  const theirs = Object.keys(m.services[b]?.networks ?? {});
  return Object.keys(m.services[a]?.networks ?? {}).filter((n) => theirs.includes(n));
}

/** True when a service is on at least one network with a route out (not `internal`). */
export function hasRouteOut(m: Model, service: string): boolean {
  return Object.keys(m.services[service]?.networks ?? {}).some((n) => m.networks[n]?.internal !== true);
}

/**
 * The addresses the networks do not let through, one message each: a service of the stack
 * must share a network with the one that connects to it; a host outside the stack needs a
 * network with a route out; loopback and the service itself are always in reach.
 */
export function unreachable(m: Model, list: readonly Address[]): string[] {
  const nets = (name: string): string => Object.keys(m.services[name]?.networks ?? {}).join(', ') || 'none';
  return list.flatMap((a) => {
    const to = `${a.from} → ${a.host}:${a.port} (${a.what})`;
    if (a.host === a.from || LOOPBACK.has(a.host)) return [];
    if (a.host in m.services) {
      return sharedNetworks(m, a.from, a.host).length > 0 ? [] : [`${to}: no shared network (${a.from}: ${nets(a.from)}; ${a.host}: ${nets(a.host)})`];
    }
    return hasRouteOut(m, a.from) ? [] : [`${to}: outside the stack, and ${a.from}'s networks (${nets(a.from)}) are all internal`];
  });
}

/** Whether a config connects two services, in either direction. */
export function connected(list: readonly Address[], a: string, b: string): boolean {
  return list.some((x) => (x.from === a && x.host === b) || (x.from === b && x.host === a));
}
