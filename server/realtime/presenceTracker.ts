import type { ConnectionHub } from './connectionHub'
import type { Presence } from './presence'

export type PresenceChange = 'user_online' | 'user_offline'

/**
 * Where a node records presence changes: `record` announces a prefix of `changes` (each is the
 * user's current state on this node) in one unit of work, commits it and resolves once it is
 * delivered, with how many it took; the rest follow in the next round.
 */
export interface PresenceRecorder {
  record(changes: readonly (readonly [number, PresenceChange])[]): Promise<number>
  /** Everyone online; `here` are the users connected to this node or in its grace period. */
  onlineUserIds(here: ReadonlySet<number>): Promise<ReadonlySet<number>>
}

/** How long changes that could not be recorded wait before they are tried again. */
const RETRY_MS = 1000

/**
 * The per-node part of presence, the same on both engines: a user's first connection to this
 * node queues user_online; their last one closing starts the grace period, after which, if they
 * are still gone from this node, user_offline is queued; coming back within it cancels it.
 * Queued changes are recorded in rounds, one at a time, batched per turn of the event loop (the
 * connections opened and closed in one I/O phase cost one commit); what records them is the
 * engine's (localPresence, postgres/clusterPresence).
 */
export class PresenceTracker implements Presence {
  private readonly offlineTimers = new Map<number, NodeJS.Timeout>()
  /** Changes not yet recorded, in arrival order. */
  private readonly pending = new Map<number, PresenceChange>()
  /** Connections waiting for their user's online to be recorded, by user. */
  private readonly waiting = new Map<number, (() => void)[]>()
  private scheduled: NodeJS.Immediate | NodeJS.Timeout | undefined
  private recording = false
  /** Set by stop(): sockets closed by the shutdown must not queue changes. */
  private stopped = false

  constructor(
    private readonly hub: ConnectionHub,
    private readonly recorder: PresenceRecorder,
    private readonly graceMs: number,
    private readonly reportError: (error: unknown) => void,
  ) {}

  connected(userId: number): Promise<void> {
    const timer = this.offlineTimers.get(userId)
    if (timer) {
      // Back within the grace period: as far as anyone else knows they never left.
      clearTimeout(timer)
      this.offlineTimers.delete(userId)
      return Promise.resolve()
    }
    if (this.pending.get(userId) === 'user_offline') {
      // Their offline was not recorded yet: everyone still sees them online.
      this.pending.delete(userId)
      return Promise.resolve()
    }
    if (this.stopped) return Promise.resolve()
    this.queue(userId, 'user_online')
    return new Promise((resolve) => {
      const list = this.waiting.get(userId)
      if (list) list.push(resolve)
      else this.waiting.set(userId, [resolve])
    })
  }

  disconnected(userId: number): void {
    if (this.stopped || this.offlineTimers.has(userId)) return
    if (this.pending.get(userId) === 'user_online') {
      // Gone again before anyone was told they came: there is nothing to take back.
      this.pending.delete(userId)
      this.release(userId)
      return
    }
    const timer = setTimeout(() => {
      this.offlineTimers.delete(userId)
      if (!this.hub.isConnected(userId)) this.queue(userId, 'user_offline')
    }, this.graceMs)
    timer.unref()
    this.offlineTimers.set(userId, timer)
  }

  onlineUserIds(): Promise<ReadonlySet<number>> {
    const here = new Set(this.offlineTimers.keys())
    for (const connection of this.hub.connections()) here.add(connection.userId)
    return this.recorder.onlineUserIds(here)
  }

  /** Cancels pending changes (shutdown): clients reload presence when they reconnect. */
  async stop(): Promise<void> {
    this.stopped = true
    for (const timer of this.offlineTimers.values()) clearTimeout(timer)
    this.offlineTimers.clear()
    clearTimeout(this.scheduled as NodeJS.Timeout)
    clearImmediate(this.scheduled as NodeJS.Immediate)
    this.scheduled = undefined
    this.pending.clear()
    for (const userId of [...this.waiting.keys()]) this.release(userId)
  }

  private queue(userId: number, change: PresenceChange): void {
    this.pending.delete(userId)
    this.pending.set(userId, change)
    this.schedule()
  }

  private schedule(delayMs = 0): void {
    if (this.scheduled || this.recording || this.stopped) return
    const run = () => {
      this.scheduled = undefined
      void this.round()
    }
    this.scheduled = delayMs === 0 ? setImmediate(run) : setTimeout(run, delayMs)
  }

  /** Records the pending changes (as many as the recorder takes), one round at a time. */
  private async round(): Promise<void> {
    // The state may have moved on since a change was queued: only current ones are recorded.
    const changes: [number, PresenceChange][] = []
    for (const [userId, change] of this.pending) {
      if (this.hub.isConnected(userId) === (change === 'user_online'))
        changes.push([userId, change])
      else {
        this.pending.delete(userId)
        this.release(userId)
      }
    }
    if (changes.length === 0) return
    this.recording = true
    let taken = 0
    let failed = false
    try {
      taken = await this.recorder.record(changes)
    } catch (error) {
      this.reportError(error)
      failed = true
    } finally {
      this.recording = false
    }
    // Recorded (or, after a failure, given up on for now: the connections waiting are greeted
    // all the same, and the changes are tried again unless they moved on meanwhile).
    for (const [userId, change] of failed ? changes : changes.slice(0, taken)) {
      if (!failed && this.pending.get(userId) === change) this.pending.delete(userId)
      this.release(userId)
    }
    if (this.pending.size > 0) this.schedule(failed ? RETRY_MS : 0)
  }

  private release(userId: number): void {
    const list = this.waiting.get(userId)
    if (!list) return
    this.waiting.delete(userId)
    for (const resolve of list) resolve()
  }
}
