/** Server-Sent Events framing, for clients of GET /admin/audit/live (the CLI's tail, tests). */

/** One message: its `id:`, `event:` and joined `data:` lines. */
export interface SseMessage {
  readonly id: string | null;
  readonly event: string | null;
  readonly data: string;
}

/**
 * Splits the complete blocks off `buffer`: the messages that carry data, the comment lines
 * (`: …`, heartbeats), and what is left for the next chunk.
 */
export function takeSseMessages(buffer: string): { messages: SseMessage[]; comments: string[]; rest: string } {
  const messages: SseMessage[] = [];
  const comments: string[] = [];
  let rest = buffer;
  let cut;
  while ((cut = rest.indexOf('\n\n')) >= 0) {
    const block = rest.slice(0, cut);
    rest = rest.slice(cut + 2);
    let id: string | null = null;
    let event: string | null = null;
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) comments.push(line.slice(1).trim());
      else if (line.startsWith('id:')) id = line.slice(3).trim();
      else if (line.startsWith('event:')) event = line.slice(6).trim();
      else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
    }
    if (data.length > 0) messages.push({ id, event, data: data.join('\n') });
  }
  return { messages, comments, rest };
}
