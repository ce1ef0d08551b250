/**
 * `jarvis audit tail`: follows GET /admin/audit/live (Server-Sent Events) and prints records as
 * they arrive; reconnects after a dropped connection with Last-Event-ID, so nothing is missed.
 */
import { recordRow, RECORD_COLUMNS } from './audit.ts';
import { FILTER_HELP, FILTER_OPTIONS, filterQuery } from './audit-filters.ts';
import { api, CliFailure, EXIT, table, type Command, type Ctx } from './common.ts';
import { takeSseMessages } from './sse.ts';

/** Reads one SSE response, calling `onEvent(id, data)`; resolves when the stream ends. */
async function readEvents(res: Response, onEvent: (id: string | null, data: string) => boolean): Promise<'ended' | 'done'> {
  const decoder = new TextDecoder();
  let buf = '';
  for await (const chunk of res.body ?? []) {
    const { messages, rest } = takeSseMessages(buf + decoder.decode(chunk as Uint8Array, { stream: true }));
    buf = rest;
    for (const m of messages) if (onEvent(m.id, m.data)) return 'done';
  }
  return 'ended';
}

export const tail: Command = {
  usage: `jarvis audit tail [filters] [--count N] [--from-id AUDIT-ID]
Prints security records as they are stored (GET /admin/audit/live) until interrupted, or until
--count records were printed. Reconnects with Last-Event-ID after a dropped connection.
${FILTER_HELP}`,
  options: { ...FILTER_OPTIONS, count: { type: 'string' }, 'from-id': { type: 'string' } },
  async run(ctx: Ctx, v) {
    const max = v.count === undefined ? Infinity : Number(v.count);
    if (!(max > 0)) throw new CliFailure('--count must be a positive number');
    let lastId = (v['from-id'] as string | undefined) ?? null;
    let printed = 0;
    let header = false;
    let failures = 0;
    while (!ctx.signal.aborted) {
      let res: Response;
      try {
        res = await api(ctx, 'GET', '/admin/audit/live', { query: filterQuery(v), headers: { accept: 'text/event-stream', ...(lastId && { 'last-event-id': lastId }) } });
      } catch (err) {
        if (ctx.signal.aborted) break;
        if (!(err instanceof CliFailure) || /answered 4\d\d/.test(err.message) || ++failures > 5) throw err;
        await new Promise((r) => setTimeout(r, 1000 * failures));
        continue;
      }
      failures = 0;
      try {
        const how = await readEvents(res, (id, data) => {
          if (id) lastId = id;
          const rec = JSON.parse(data) as Parameters<typeof recordRow>[0];
          if (v.json === true) ctx.io.out(JSON.stringify(rec));
          else {
            const lines = table([recordRow(rec)], RECORD_COLUMNS, 40).split('\n');
            if (!header) ctx.io.out(lines[0]!);
            header = true;
            ctx.io.out(lines[1]!);
          }
          return ++printed >= max;
        });
        if (how === 'done') return EXIT.ok;
      } catch (err) {
        if (ctx.signal.aborted) break;
        ctx.io.err(`jarvis: live stream dropped (${(err as Error).message}); reconnecting`);
      }
    }
    return EXIT.ok;
  },
};
