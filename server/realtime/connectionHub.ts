import type { ClientConnection } from './clientConnection'
import type { OutgoingEvent } from '../storage/eventSink'
import { textFrame } from './textFrame'

/**
 * Every open connection, by user. A user may hold many (devices); each gets every event. Most
 * users hold one, which is stored as is: a Set per user would cost more than the connection.
 */
export class ConnectionHub {
  private readonly byUser = new Map<number, ClientConnection | Set<ClientConnection>>()
  /** Open connections, kept as they come and go (the heartbeat reads it every tick). */
  private count = 0
  /** Sends over sockets being stored now (see storing); a shutdown waits for them. */
  private readonly sends = new Set<Promise<unknown>>()

  /** Registers a connection; true when it is the user's first. */
  add(connection: ClientConnection): boolean {
    const held = this.byUser.get(connection.userId)
    if (held === undefined) {
      this.byUser.set(connection.userId, connection)
      this.count += 1
      return true
    }
    if (held instanceof Set) {
      if (!held.has(connection)) {
        held.add(connection)
        this.count += 1
      }
    } else if (held !== connection) {
      this.byUser.set(connection.userId, new Set([held, connection]))
      this.count += 1
    }
    return false
  }

  /** Unregisters a connection; true when it was the user's last. */
  remove(connection: ClientConnection): boolean {
    const held = this.byUser.get(connection.userId)
    if (held === connection) {
      this.byUser.delete(connection.userId)
      this.count -= 1
      return true
    }
    if (!(held instanceof Set) || !held.delete(connection)) return false
    this.count -= 1
    if (held.size === 1) {
      const [last] = held
      this.byUser.set(connection.userId, last!)
    }
    return false
  }

  /** The user's open connections on this node. */
  countOf(userId: number): number {
    const held = this.byUser.get(userId)
    return held === undefined ? 0 : held instanceof Set ? held.size : 1
  }

  isConnected(userId: number): boolean {
    return this.byUser.has(userId)
  }

  /** Sends one event to every connection of its audience. */
  deliver(event: OutgoingEvent): void {
    this.send(event, undefined)
  }

  /**
   * Delivers a committed batch of events, in order. Every socket that receives any of them is
   * corked for the batch and uncorked once at the end, so k events for one socket leave in one
   * write (one syscall) instead of k. `then` runs before the uncork: what it sends to a socket of
   * the batch (a sender's ack after its message_sent) leaves in that same write.
   */
  deliverAll(events: readonly OutgoingEvent[], then?: () => void): void {
    if (events.length === 1 && !then) {
      // One frame per socket: each socket gets it in one write without being corked.
      this.send(events[0]!, undefined)
      return
    }
    const corked = new Set<ClientConnection>()
    try {
      for (const event of events) this.send(event, corked)
      then?.()
    } finally {
      for (const connection of corked) connection.uncork()
    }
  }

  /** Sends to the event's audience; corks each socket first when given the batch's cork set. */
  private send(event: OutgoingEvent, corked: Set<ClientConnection> | undefined): void {
    // Framed once for all recipients, and only if one of them is connected.
    let frame: Buffer | undefined
    for (const userId of event.audience) {
      const held = this.byUser.get(userId)
      if (held === undefined) continue
      frame ??= textFrame(event.json)
      if (held instanceof Set) {
        for (const connection of held) sendCorked(connection, event, frame, corked)
      } else {
        sendCorked(held, event, frame, corked)
      }
    }
  }

  /** Tracks a socket's send while it is being stored, for `stopTaking`. */
  storing<T>(work: Promise<T>): Promise<T> {
    this.sends.add(work)
    void work.then(
      () => this.sends.delete(work),
      () => this.sends.delete(work),
    )
    return work
  }

  /**
   * The first step of a shutdown: every connection stops taking frames, and this resolves once
   * the sends already being stored have been (their acks then go out with their batch's commit,
   * before the connections are closed), or after `maxWaitMs`.
   */
  async stopTaking(maxWaitMs: number): Promise<void> {
    for (const connection of this.connections()) connection.taking = false
    if (this.sends.size === 0) return
    let timer: NodeJS.Timeout | undefined
    await Promise.race([
      Promise.allSettled([...this.sends]),
      new Promise((resolve) => (timer = setTimeout(resolve, maxWaitMs))),
    ])
    clearTimeout(timer)
  }

  *connections(): IterableIterator<ClientConnection> {
    for (const held of this.byUser.values()) {
      if (held instanceof Set) yield* held
      else yield held
    }
  }

  get size(): number {
    return this.count
  }

  /**
   * Closes the connections of a user that were opened with one of these tokens (after they were
   * revoked). Only that user's connections are looked at.
   */
  closeSessions(userId: number, tokenHashes: ReadonlySet<string>, code: number, reason: string) {
    const held = this.byUser.get(userId)
    if (held === undefined) return
    const doomed = (held instanceof Set ? [...held] : [held]).filter((connection) =>
      tokenHashes.has(connection.tokenHash),
    )
    for (const connection of doomed) connection.close(code, reason)
  }

  /** Closes every connection of a user, whatever its token (a deactivated account). */
  closeUser(userId: number, code: number, reason: string): void {
    const held = this.byUser.get(userId)
    if (held === undefined) return
    for (const connection of held instanceof Set ? [...held] : [held]) {
      connection.close(code, reason)
    }
  }
}

function sendCorked(
  connection: ClientConnection,
  event: OutgoingEvent,
  frame: Buffer,
  corked: Set<ClientConnection> | undefined,
): void {
  if (corked && !corked.has(connection)) {
    corked.add(connection)
    connection.cork()
  }
  connection.sendEvent(event, frame)
}
