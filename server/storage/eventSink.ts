import type { EventType } from '../../src/shared/eventTypes'
import type { EventDataMap } from '../../src/shared/events'

/**
 * Where a stored event is filed, which decides what its storage costs. A direct event gets a row
 * per recipient; a stream event is one row whatever its audience, which replay derives from the
 * membership history (conversation_member_spans) so it equals the audience at the time of emit.
 */
export type EventStream =
  | { kind: 'direct' }
  /**
   * The conversation's members, without `exceptUserId` when given; only `onlyUserId` when given
   * (who must be a member at the time: the sender's own message_sent). Such a one-member event
   * costs no recipient row, and its index entry lands beside its message_received's.
   */
  | { kind: 'conversation'; conversationId: number; exceptUserId?: number; onlyUserId?: number }
  /** Everyone sharing a conversation with `userId`, not `userId` itself. */
  | { kind: 'peers'; userId: number }

/**
 * A change that every server node applies to what it holds in memory, in the order of the event
 * log: sessions it has cached and sockets it has open, cached users and settings. On one node
 * (SQLite) it is applied when its unit commits; in a cluster it is stored in the log with no
 * audience (no client ever receives it) and applied by each node as its tail reaches it.
 */
export type ControlEvent =
  /** Tokens deleted (sign-out, password change): forget them and close the user's sockets on them. */
  | { kind: 'sessions_revoked'; user_id: number; token_hashes: string[]; reason: string }
  /** A user's name or role changed, or the account was reactivated: forget the cached copy. */
  | { kind: 'user_changed'; user_id: number }
  /**
   * An account was deactivated: forget its sessions and user, and close every socket of it
   * (4001), whatever token opened it.
   */
  | { kind: 'user_deactivated'; user_id: number }
  /** The organization's branding (timezone, name) changed: read it again. */
  | { kind: 'branding_changed' }
  /** The message retention policy changed: the node that runs the sweep runs it now. */
  | { kind: 'message_retention_changed' }
  /** An outgoing mail was queued: the node that runs the account's mail worker sends it. */
  | { kind: 'mail_queued'; account_id: number; message_id: number }
  /**
   * A mail account was created (every node asks for its lease), changed (its owner reconnects),
   * removed (its owner stops), or asked to sync now (its owner fetches).
   */
  | {
      kind: 'mail_account'
      account_id: number
      change: 'created' | 'updated' | 'removed' | 'sync'
    }

/** The event type under which control events are stored (never a type clients receive). */
export const CONTROL_EVENT_TYPE = '_control'

/** An event ready for delivery: serialized once, sent as the same string to every recipient. */
export interface OutgoingEvent {
  type: EventType
  /** The log's id; null for an ephemeral event (typing). */
  id: number | null
  json: string
  /** Who receives it live (on this node, those of them who are connected). */
  audience: readonly number[]
}

/**
 * What a committed batch goes to, in log order: the events for this node's sockets and the
 * control events for its caches (see realtime/liveFeed).
 */
export interface EventDelivery {
  /**
   * Applies `controls`, then delivers `events` in order, coalescing each socket's frames into one
   * write. `then` runs after the last event and before those writes go out, so the frames it
   * sends to the same sockets (acks) join them.
   */
  deliverAll(
    events: readonly OutgoingEvent[],
    controls: readonly ControlEvent[],
    then?: () => void,
  ): void
}

/** Collects the events of one unit of work; they are delivered only after it commits. */
export interface EventSink {
  /** To these users: a stored row per recipient. */
  emit<T extends EventType>(type: T, data: EventDataMap[T], audience: Iterable<number>): void
  /** To the conversation's current members (but `exceptUserId`): stored once. */
  toConversation<T extends EventType>(
    type: T,
    data: EventDataMap[T],
    conversationId: number,
    exceptUserId?: number,
  ): void
  /**
   * To one member of the conversation, filed in its stream: stored once, with no recipient row.
   * The caller has checked that `userId` is a member now (as a send's requireMember does).
   */
  toMember<T extends EventType>(
    type: T,
    data: EventDataMap[T],
    conversationId: number,
    userId: number,
  ): void
  /** To everyone who shares a conversation with `userId`: stored once. */
  toPeers<T extends EventType>(type: T, data: EventDataMap[T], userId: number): void
  /** A change every node applies once the unit commits (see ControlEvent). */
  control(event: ControlEvent): void
}
