import type { Person } from '../../src/shared/models'
import type { ConnectionHub } from './connectionHub'
import type { UnitOfWork } from './unitOfWork'

/**
 * Online/offline per user, not per socket: user_online on the first connection, user_offline only
 * after the last one has been closed for a grace period, so a reconnecting client (a network blip,
 * a reload) does not flap its presence for everyone who shares a conversation with it.
 */
export class Presence {
  private readonly offlineTimers = new Map<number, NodeJS.Timeout>()
  /** Set by stop(): sockets closed by the shutdown must not schedule announcements. */
  private stopped = false

  constructor(
    private readonly hub: ConnectionHub,
    private readonly unitOfWork: UnitOfWork,
    private readonly peersOf: (userId: number) => number[],
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
    this.announce(userId, 'user_online')
  }

  /** The user's last connection closed. */
  disconnected(userId: number): void {
    if (this.stopped || this.offlineTimers.has(userId)) return
    const timer = setTimeout(() => {
      this.offlineTimers.delete(userId)
      if (!this.hub.isConnected(userId)) this.announce(userId, 'user_offline')
    }, this.graceMs)
    timer.unref()
    this.offlineTimers.set(userId, timer)
  }

  /** Cancels pending offline announcements (shutdown): clients reload presence on reconnect. */
  stop(): void {
    this.stopped = true
    for (const timer of this.offlineTimers.values()) clearTimeout(timer)
    this.offlineTimers.clear()
  }

  private announce(userId: number, type: 'user_online' | 'user_offline'): void {
    const person = this.personOf(userId)
    if (!person) return
    const peers = this.peersOf(userId)
    if (peers.length === 0) return
    this.unitOfWork.run((events) => {
      events.emit(type, { user: { ...person, online: type === 'user_online' } }, peers)
    })
  }
}
