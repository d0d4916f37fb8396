import type { TypingData } from '../../../src/shared/events'
import type { ConnectionHub } from '../../realtime/connectionHub'
import { deliverTyping, typingAudience, type TypingRelay } from '../../realtime/typingRelay'
import type { PostgresDatabase } from './postgresDatabase'
import { TYPING_CHANNEL } from './notificationListener'

/** PostgreSQL refuses a notification payload of 8000 bytes or more. */
const MAX_PAYLOAD = 7900

/**
 * Typing indicators across a cluster: delivered to this node's sockets at once, and passed to the
 * other nodes through one NOTIFY per turn of the event loop (all the indicators of that turn),
 * each of which delivers to its own. Never stored: one lost with a dropped connection is gone,
 * as a typing indicator may be.
 */
export class ClusterTyping implements TypingRelay {
  private outgoing: TypingData[] = []
  private flushScheduled = false

  constructor(
    private readonly db: PostgresDatabase,
    private readonly hub: ConnectionHub,
    private readonly nodeId: string,
    private readonly timezone: () => string,
    private readonly reportError: (error: unknown) => void,
  ) {}

  async relay(data: TypingData): Promise<void> {
    this.outgoing.push(data)
    if (!this.flushScheduled) {
      this.flushScheduled = true
      setImmediate(() => void this.notify())
    }
    deliverTyping(this.hub, data, await typingAudience(this.db, data), this.timezone())
  }

  /** A notification from the channel: indicators of other nodes, for this node's sockets. */
  received(payload: string): void {
    let message: { node: string; typing: TypingData[] }
    try {
      message = JSON.parse(payload) as typeof message
    } catch {
      return
    }
    if (message.node === this.nodeId) return
    for (const data of message.typing) {
      typingAudience(this.db, data)
        .then((audience) => deliverTyping(this.hub, data, audience, this.timezone()))
        .catch(this.reportError)
    }
  }

  private async notify(): Promise<void> {
    this.flushScheduled = false
    const all = this.outgoing
    this.outgoing = []
    // As many per notification as fit under the payload limit.
    let chunk: TypingData[] = []
    const send = async () => {
      if (chunk.length === 0) return
      const payload = JSON.stringify({ node: this.nodeId, typing: chunk })
      chunk = []
      await this.db.pool.query('select pg_notify($1, $2)', [TYPING_CHANNEL, payload])
    }
    try {
      for (const data of all) {
        chunk.push(data)
        if (JSON.stringify({ node: this.nodeId, typing: chunk }).length > MAX_PAYLOAD) {
          chunk.pop()
          await send()
          chunk.push(data)
        }
      }
      await send()
    } catch (error) {
      this.reportError(error)
    }
  }
}
