import type { TypingData } from '../../src/shared/events'
import { nowIso } from '../clock'
import type { Queryable } from '../storage/database'
import type { ConnectionHub } from './connectionHub'

/**
 * Typing indicators: delivered to the conversation's other members who are connected, never
 * stored (a typing that arrives late means nothing). On one node that is this node's sockets; in
 * a cluster each node also passes them to the others (postgres/clusterTyping).
 */
export interface TypingRelay {
  relay(data: TypingData): Promise<void>
}

/** The members of a conversation but the one typing. */
export async function typingAudience(db: Queryable, data: TypingData): Promise<number[]> {
  const rows = await db.all(
    db.q
      .selectFrom('conversation_members')
      .select('user_id')
      .where('conversation_id', '=', data.conversation_id)
      .where('user_id', '!=', data.user_id),
  )
  return rows.map((row) => row.user_id)
}

/** Delivers a typing indicator to this node's connections of `audience`. */
export function deliverTyping(
  hub: ConnectionHub,
  data: TypingData,
  audience: readonly number[],
  timezone: string,
): void {
  if (audience.length === 0) return
  const json = JSON.stringify({
    type: 'typing_indicator',
    id: null,
    timestamp: nowIso(),
    timezone,
    data,
  })
  hub.deliver({ type: 'typing_indicator', id: null, json, audience })
}

/** The single-node relay: this node's sockets are everyone's. */
export class LocalTypingRelay implements TypingRelay {
  constructor(
    private readonly db: Queryable,
    private readonly hub: ConnectionHub,
    private readonly timezone: () => string,
  ) {}

  async relay(data: TypingData): Promise<void> {
    deliverTyping(this.hub, data, await typingAudience(this.db, data), this.timezone())
  }
}
