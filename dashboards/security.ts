/** Security: authentication and authorization outcomes, abuse signals, blocks and sessions. */
import { METRIC } from '../src/telemetry/names.ts';
import { rate, SEL, series } from './lib/selectors.ts';
import type { DashboardSpec } from './lib/spec.ts';

const auth = METRIC.authDecisions;
const sec = METRIC.securityEvents;

export const security: DashboardSpec = {
  uid: 'jarvis-security',
  title: 'Jarvis / Security',
  description: 'For the security team and on-call: who is refused and why, brute force, blocks, rate limits and the SECURITY_EVENT stream in numbers.',
  tags: ['security'],
  rows: [
    {
      title: 'Authentication and authorization',
      panels: [
        { title: 'Authentication failures by reason', kind: 'timeseries', unit: 'reqps', tells: 'Refused credentials per reason: unknown_key from many places is guessing; expired_* is a client not updated.', queries: [{ expr: `sum by (reason) (${rate(auth, 'stage="authentication",result="denied"')})`, legend: '{{reason}}' }] },
        { title: 'Authorization denials by reason', kind: 'timeseries', unit: 'reqps', tells: 'Valid credentials asking for more than they hold (403).', queries: [{ expr: `sum by (reason) (${rate(auth, 'stage="authorization",result="denied"')})`, legend: '{{reason}}' }] },
        { title: 'Decisions by credential and result', kind: 'timeseries', unit: 'reqps', tells: 'API keys versus JWTs, granted versus denied.', queries: [{ expr: `sum by (credential, result) (${rate(auth)})`, legend: '{{credential}} {{result}}' }] },
        {
          title: 'Authentication failure ratio',
          kind: 'stat',
          unit: 'percentunit',
          width: 6,
          tells: 'Share of authentication attempts refused now; JarvisAuthFailureSpike fires above 50 % at volume.',
          thresholds: [[null, 'green'], [0.2, 'orange'], [0.5, 'red']],
          queries: [{ expr: `(sum(${rate(auth, 'stage="authentication",result="denied"')}) or vector(0)) / sum(${rate(auth, 'stage="authentication"')})` }],
        },
        { title: 'Top refusal reasons', kind: 'table', width: 6, tells: 'The five most frequent refusal reasons over the selected range.', queries: [{ expr: `topk(5, sum by (stage, reason) (increase(${series(auth, 'result="denied"')}[$__range])))`, instant: true }] },
      ],
    },
    {
      title: 'Abuse and blocks',
      panels: [
        { title: 'Security events by type', kind: 'timeseries', unit: 'short', tells: 'The SECURITY_EVENT audit stream in numbers, per type (per second).', queries: [{ expr: `sum by (type) (${rate(sec)}) > 0`, legend: '{{type}}' }, { expr: `sum(${rate(sec)})`, legend: 'all' }] },
        { title: 'High-severity events', kind: 'stat', width: 6, tells: 'Security events of severity high or critical in the selected range (brute force, automatic blocks).', thresholds: [[null, 'green'], [1, 'red']], queries: [{ expr: `sum(increase(${series(sec, 'severity=~"high|critical"')}[$__range]))` }] },
        { title: 'Top security event types', kind: 'table', width: 6, tells: 'The most frequent event types over the selected range; the audit log has the addresses behind them.', queries: [{ expr: `topk(10, sum by (type, severity) (increase(${series(sec)}[$__range])))`, instant: true }] },
        {
          title: 'Top offending IPs',
          kind: 'text',
          tells: 'Where to find addresses: IPs are never metric labels (unbounded, personal data).',
          queries: [],
          content: [
            'Client IPs are deliberately **not** metric labels. To see who is behind the numbers:',
            '',
            '- `GET /admin/audit?type=jarvis.security.auth_failed.v1&since=1h` (admin key): each record has `ip`, `principal`, `reason`, `trace_id`;',
            '- `GET /admin/audit?type=jarvis.security.brute_force_suspected.v1&since=24h` for the addresses that were blocked;',
            '- on the host: `grep SECURITY_EVENT api.log | jq -r .security_event.data.ip | sort | uniq -c | sort -rn | head`.',
          ].join('\n'),
        },
        { title: 'Rate-limit rejections by tier', kind: 'timeseries', unit: 'reqps', tells: '429s per tier (api, stream) and per window that ran out (ip or principal).', queries: [{ expr: `sum by (tier, scope) (${rate(METRIC.rateLimitRejections)})`, legend: '{{tier}} / {{scope}}' }] },
        { title: 'Active IP blocks', kind: 'timeseries', unit: 'short', tells: 'Blocks in force by origin: configuration, admin, or automatic after brute force.', queries: [{ expr: `max by (source) (${series(METRIC.activeIpBlocks)})`, legend: '{{source}}' }] },
        { title: 'Active sessions', kind: 'stat', width: 6, tells: 'JWT sessions neither revoked nor expired.', queries: [{ expr: `max(${series(METRIC.activeSessions)})` }] },
        { title: 'Instances reporting', kind: 'stat', width: 6, tells: 'Instances whose security numbers are included above.', queries: [{ expr: `count(up{${SEL}} == 1)` }] },
      ],
    },
  ],
};
