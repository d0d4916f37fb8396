import { CloseCode } from '../../src/shared/closeCodes'
import type { ConnectionHub } from './connectionHub'

/** The interval is cut into this many ticks; each tick serves the users of one slice. */
const SLICES = 20

/**
 * One timer for all sockets (not one per socket): every interval, a connection that has not
 * answered the previous ping (or sent anything) is terminated, and the rest are pinged again. A
 * dead peer is thus dropped within two intervals.
 *
 * The work is spread over the interval: each tick serves the users whose id falls in its slice
 * (userId % SLICES), so 10,000 sockets are pinged 500 at a time rather than all in one burst that
 * would hold the event loop (and every message behind it) for a few hundred milliseconds.
 */
export function startHeartbeat(hub: ConnectionHub, intervalMs: number): () => void {
  let slice = 0
  const timer = setInterval(() => {
    const current = slice
    slice = (slice + 1) % SLICES
    for (const connection of hub.connections()) {
      if (connection.userId % SLICES !== current) continue
      if (!connection.alive) {
        connection.close(CloseCode.HeartbeatTimeout, 'heartbeat timeout')
        connection.socket.terminate()
        continue
      }
      connection.alive = false
      connection.socket.ping()
    }
  }, intervalMs / SLICES)
  timer.unref()
  return () => clearInterval(timer)
}
