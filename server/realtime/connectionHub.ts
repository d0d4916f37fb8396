import type { ClientConnection } from './clientConnection'
import type { OutgoingEvent } from './eventLog'
import type { EventDelivery } from './unitOfWork'

/** Every open connection, by user. A user may hold many (devices); each gets every event. */
export class ConnectionHub implements EventDelivery {
  private readonly byUser = new Map<number, Set<ClientConnection>>()

  /** Registers a connection; true when it is the user's first. */
  add(connection: ClientConnection): boolean {
    let set = this.byUser.get(connection.userId)
    const first = !set
    if (!set) {
      set = new Set()
      this.byUser.set(connection.userId, set)
    }
    set.add(connection)
    return first
  }

  /** Unregisters a connection; true when it was the user's last. */
  remove(connection: ClientConnection): boolean {
    const set = this.byUser.get(connection.userId)
    if (!set?.delete(connection)) return false
    if (set.size > 0) return false
    this.byUser.delete(connection.userId)
    return true
  }

  isConnected(userId: number): boolean {
    return this.byUser.has(userId)
  }

  deliver(event: OutgoingEvent): void {
    for (const userId of event.audience) {
      const set = this.byUser.get(userId)
      if (!set) continue
      for (const connection of set) connection.sendEvent(event)
    }
  }

  *connections(): IterableIterator<ClientConnection> {
    for (const set of this.byUser.values()) yield* set
  }

  get size(): number {
    let count = 0
    for (const set of this.byUser.values()) count += set.size
    return count
  }

  /** Closes every connection authenticated with a token (after logout). */
  closeToken(tokenHash: string, code: number, reason: string): void {
    for (const connection of [...this.connections()]) {
      if (connection.tokenHash === tokenHash) connection.close(code, reason)
    }
  }
}
