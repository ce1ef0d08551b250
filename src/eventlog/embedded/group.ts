/**
 * Consumer-group membership for the embedded log, shared by processes through the SQLite file.
 * Each member heartbeats a `members` row; every member computes the same assignment from the
 * live members (sorted ids, round robin over the sorted partitions) and holds a `leases` row
 * per partition it owns. A partition changes hands only when its lease is released or expired,
 * so two members of one group never read the same partition at once; a commit is fenced by
 * the lease, so a member that lost its partition cannot move the group's position.
 */
import type Database from 'better-sqlite3';

/** A (physical) topic and partition. */
export interface TopicPartition {
  readonly topic: string;
  readonly partition: number;
}

export class GroupMember {
  private readonly stmts;

  constructor(
    private readonly db: Database.Database,
    readonly groupId: string,
    readonly memberId: string,
    private readonly topics: ReadonlyMap<string, number>,
    private readonly leaseMs: number,
  ) {
    this.stmts = {
      upsertMember: db.prepare(`INSERT INTO members (group_id, member_id, topics, expires_at) VALUES (?, ?, ?, ?)
        ON CONFLICT (group_id, member_id) DO UPDATE SET expires_at = excluded.expires_at, topics = excluded.topics`),
      dropExpiredMembers: db.prepare('DELETE FROM members WHERE group_id = ? AND expires_at <= ?'),
      liveMembers: db.prepare('SELECT member_id, topics FROM members WHERE group_id = ? ORDER BY member_id'),
      acquire: db.prepare(`INSERT INTO leases (group_id, topic, partition, owner, expires_at) VALUES (?, ?, ?, ?, ?)
        ON CONFLICT (group_id, topic, partition) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
        WHERE leases.owner = excluded.owner OR leases.expires_at <= ?`),
      release: db.prepare('DELETE FROM leases WHERE group_id = ? AND topic = ? AND partition = ? AND owner = ?'),
      releaseAll: db.prepare('DELETE FROM leases WHERE group_id = ? AND owner = ?'),
      leaveMember: db.prepare('DELETE FROM members WHERE group_id = ? AND member_id = ?'),
      renewLeases: db.prepare('UPDATE leases SET expires_at = ? WHERE group_id = ? AND owner = ?'),
      owned: db.prepare('SELECT topic, partition FROM leases WHERE group_id = ? AND owner = ? AND expires_at > ? ORDER BY topic, partition'),
      ownsOne: db.prepare('SELECT 1 FROM leases WHERE group_id = ? AND topic = ? AND partition = ? AND owner = ? AND expires_at > ?'),
      commit: db.prepare(`INSERT INTO positions (group_id, topic, partition, next_offset) VALUES (?, ?, ?, ?)
        ON CONFLICT (group_id, topic, partition) DO UPDATE SET next_offset = excluded.next_offset`),
    };
  }

  /** Renews membership, computes the assignment, releases what is no longer ours and takes what is. */
  rebalance(now: number): TopicPartition[] {
    const s = this.stmts;
    const run = this.db.transaction(() => {
      s.upsertMember.run(this.groupId, this.memberId, JSON.stringify([...this.topics.keys()]), now + this.leaseMs);
      s.dropExpiredMembers.run(this.groupId, now);
      const members = (s.liveMembers.all(this.groupId) as { member_id: string; topics: string }[]).map((m) => ({
        id: m.member_id,
        topics: new Set(JSON.parse(m.topics) as string[]),
      }));
      const target = new Set<string>();
      let turn = 0;
      for (const topic of [...this.topics.keys()].sort()) {
        const eligible = members.filter((m) => m.topics.has(topic));
        for (let p = 0; p < this.topics.get(topic)!; p++) {
          const owner = eligible[turn++ % eligible.length];
          if (owner?.id === this.memberId) target.add(`${topic}\u0000${p}`);
        }
      }
      for (const tp of s.owned.all(this.groupId, this.memberId, 0) as TopicPartition[]) {
        if (!target.has(`${tp.topic}\u0000${tp.partition}`)) s.release.run(this.groupId, tp.topic, tp.partition, this.memberId);
      }
      for (const k of target) {
        const [topic, p] = k.split('\u0000') as [string, string];
        s.acquire.run(this.groupId, topic, Number(p), this.memberId, now + this.leaseMs, now);
      }
      s.renewLeases.run(now + this.leaseMs, this.groupId, this.memberId);
      return s.owned.all(this.groupId, this.memberId, now) as TopicPartition[];
    });
    return run.immediate();
  }

  /** Heartbeat between rebalances: keeps membership and leases alive during a long batch. */
  renew(now: number): void {
    const s = this.stmts;
    this.db.transaction(() => {
      s.upsertMember.run(this.groupId, this.memberId, JSON.stringify([...this.topics.keys()]), now + this.leaseMs);
      s.renewLeases.run(now + this.leaseMs, this.groupId, this.memberId);
    }).immediate();
  }

  /** Stores the group's position if this member still holds the partition; false when it lost it. */
  commit(tp: TopicPartition, nextOffset: number, now: number): boolean {
    const s = this.stmts;
    return this.db.transaction(() => {
      if (!s.ownsOne.get(this.groupId, tp.topic, tp.partition, this.memberId, now)) return false;
      s.commit.run(this.groupId, tp.topic, tp.partition, nextOffset);
      return true;
    }).immediate();
  }

  /** Leaves the group at once, so the others take the partitions without waiting for expiry. */
  leave(): void {
    const s = this.stmts;
    this.db.transaction(() => {
      s.releaseAll.run(this.groupId, this.memberId);
      s.leaveMember.run(this.groupId, this.memberId);
    }).immediate();
  }
}
