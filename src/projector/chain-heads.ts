/**
 * The chain heads the projector publishes on jarvis.security (ChainHeadPublished): the newest
 * link of every tamper-evidence chain that moved since the last publication. A head is taken
 * only from links that were published (noted after the publisher resolved) or that the
 * persisted state held at start (committed, so published before), never from a batch in
 * flight. The event id is a hash of the heads, so two projectors naming the same heads publish
 * one event as far as consumers that deduplicate are concerned.
 */
import { ChainHeadPublished, SECURITY_TOPIC, type Envelope } from '../../events/index.ts';
import { derivedId } from '../projections/security/ids.ts';
import type { DerivedEvent } from '../projections/types.ts';

type Tip = { seq: number; hash: string };

/** At most this many heads per event (the schema's bound); the rest go out on the next tick. */
const MAX_HEADS = 1000;

export class ChainHeads {
  private readonly tips = new Map<string, Tip>();
  private readonly published = new Map<string, number>();

  /** Starts from the tips the persisted state holds (published before they were committed). */
  seed(chains: ReadonlyMap<string, Tip>): void {
    for (const [partition, tip] of chains) this.move(partition, tip);
  }

  /** Notes the links of security records that were just published. */
  note(events: readonly DerivedEvent[]): void {
    for (const e of events) {
      if (e.topic !== SECURITY_TOPIC) continue;
      const chain = (e.envelope.data as { chain?: { partition: string; seq: number; hash: string } }).chain;
      if (chain) this.move(chain.partition, { seq: chain.seq, hash: chain.hash });
    }
  }

  /** The head event for the chains that moved, or null when none did. Marks them published. */
  due(nowMs: number, source: string): DerivedEvent | null {
    const heads = [...this.tips]
      .filter(([p, t]) => this.published.get(p) !== t.seq)
      .sort((a, b) => (a[0] < b[0] ? -1 : 1))
      .slice(0, MAX_HEADS)
      .map(([partition, t]) => ({ partition, seq: t.seq, hash: t.hash }));
    if (heads.length === 0) return null;
    for (const h of heads) this.published.set(h.partition, h.seq);
    const envelope: Envelope = {
      specversion: '1.0',
      id: derivedId(`chain-heads:${JSON.stringify(heads)}`, ChainHeadPublished.type),
      source,
      type: ChainHeadPublished.type,
      time: new Date(nowMs).toISOString(),
      datacontenttype: 'application/json',
      data: { heads },
    };
    return { topic: SECURITY_TOPIC, key: 'chain-heads', envelope };
  }

  /** After a failed publication: publish these heads again next time. */
  forget(event: DerivedEvent): void {
    for (const h of (event.envelope.data as { heads: { partition: string }[] }).heads) this.published.delete(h.partition);
  }

  private move(partition: string, tip: Tip): void {
    const cur = this.tips.get(partition);
    if (!cur || tip.seq > cur.seq) this.tips.set(partition, tip);
  }
}
