import { CloseCode } from '../../src/shared/closeCodes'
import type { ConnectionHub } from './connectionHub'

/**
 * One timer for all sockets (not one per socket): every interval, a connection that has not
 * answered the previous ping (or sent anything) is terminated, and the rest are pinged again. A
 * dead peer is thus dropped within two intervals.
 */
export function startHeartbeat(hub: ConnectionHub, intervalMs: number): () => void {
  const timer = setInterval(() => {
    for (const connection of hub.connections()) {
      if (!connection.alive) {
        connection.close(CloseCode.HeartbeatTimeout, 'heartbeat timeout')
        connection.socket.terminate()
        continue
      }
      connection.alive = false
      connection.socket.ping()
    }
  }, intervalMs)
  timer.unref()
  return () => clearInterval(timer)
}
