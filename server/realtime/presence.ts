import type { Person } from '../../src/shared/models'
import type { ConnectionHub } from './connectionHub'
import type { UnitOfWork } from './unitOfWork'

type PresenceType = 'user_online' | 'user_offline'

/** Deliveries (peers summed over users) per batch; the rest continues on the next turn. */
const BATCH_MAX_RECIPIENTS = 20_000

/**
 * Online/offline per user, not per socket: user_online on the first connection, user_offline only
 * after the last one has been closed for a grace period, so a reconnecting client (a network blip,
 * a reload) does not flap its presence for everyone who shares a conversation with it.
 *
 * Announcements are batched per turn of the event loop: the changes made by all the connections
 * opened and closed in one I/O phase are written as one unit of work (setImmediate, so before any
 * later frame or request is handled) and committed at once, so a thousand users reconnecting
 * together cost one commit, and their events reach each peer's socket in one write. Each event is
 * stored once, in the user's peer stream (see EventStream).
 */
export class Presence {
  private readonly offlineTimers = new Map<number, NodeJS.Timeout>()
  /** Changes not yet announced, in arrival order. */
  private readonly pending = new Map<number, PresenceType>()
  private flushScheduled: NodeJS.Immediate | undefined
  /** Set by stop(): sockets closed by the shutdown must not schedule announcements. */
  private stopped = false

  constructor(
    private readonly hub: ConnectionHub,
    private readonly unitOfWork: UnitOfWork,
    private readonly personOf: (userId: number) => Person | undefined,
    private readonly graceMs: number,
  ) {}

  isOnline(userId: number): boolean {
    return this.hub.isConnected(userId) || this.offlineTimers.has(userId)
  }

  /** The user's first connection opened. */
  connected(userId: number): void {
    const timer = this.offlineTimers.get(userId)
    if (timer) {
      // Back within the grace period: as far as anyone else knows they never left.
      clearTimeout(timer)
      this.offlineTimers.delete(userId)
      return
    }
    if (this.pending.get(userId) === 'user_offline') {
      // Their offline was not announced yet: peers still see them online.
      this.pending.delete(userId)
      return
    }
    this.queue(userId, 'user_online')
  }

  /** The user's last connection closed. */
  disconnected(userId: number): void {
    if (this.stopped || this.offlineTimers.has(userId)) return
    if (this.pending.get(userId) === 'user_online') {
      // Gone again before anyone was told they came: there is nothing to take back.
      this.pending.delete(userId)
      return
    }
    const timer = setTimeout(() => {
      this.offlineTimers.delete(userId)
      if (!this.hub.isConnected(userId)) this.queue(userId, 'user_offline')
    }, this.graceMs)
    timer.unref()
    this.offlineTimers.set(userId, timer)
  }

  /** Cancels pending offline announcements (shutdown): clients reload presence on reconnect. */
  stop(): void {
    this.stopped = true
    for (const timer of this.offlineTimers.values()) clearTimeout(timer)
    this.offlineTimers.clear()
    if (this.flushScheduled) clearImmediate(this.flushScheduled)
    this.flushScheduled = undefined
    this.pending.clear()
  }

  private queue(userId: number, type: PresenceType): void {
    if (this.stopped) return
    this.pending.delete(userId)
    this.pending.set(userId, type)
    this.schedule()
  }

  private schedule(): void {
    if (this.flushScheduled) return
    this.flushScheduled = setImmediate(() => {
      this.flushScheduled = undefined
      this.flush()
    })
  }

  /**
   * Announces pending changes in one unit of work, up to BATCH_MAX_RECIPIENTS deliveries so one
   * batch never holds the event loop for long; the rest follows on the next turn.
   */
  private flush(): void {
    let rows = 0
    this.unitOfWork.run((events) => {
      for (const [userId, type] of this.pending) {
        if (rows >= BATCH_MAX_RECIPIENTS) break
        this.pending.delete(userId)
        // The state may have moved on since the change was queued.
        if (this.hub.isConnected(userId) !== (type === 'user_online')) continue
        const person = this.personOf(userId)
        if (!person) continue
        rows += events.toPeers(
          type,
          { user: { ...person, online: type === 'user_online' } },
          userId,
        )
      }
    })
    // Already batched per turn: commit and deliver now rather than one more turn later.
    this.unitOfWork.flush()
    if (this.pending.size > 0) this.schedule()
  }
}
