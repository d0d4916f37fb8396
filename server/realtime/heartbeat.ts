import { CloseCode } from '../../src/shared/closeCodes'
import type { ClientConnection } from './clientConnection'
import type { ConnectionHub } from './connectionHub'

/** How often the heartbeat serves its next share of the connections. */
const TICK_MS = 100

/**
 * One timer for all sockets (not one per socket). Every interval is a round in which each
 * connection is visited once: a connection that has not answered the previous ping (or sent
 * anything) since its last visit is terminated with 4010, the rest are pinged again. A dead peer
 * is thus dropped by the round after the one that pinged it.
 *
 * A round is spread evenly over its ticks, a tenth of a second apart, each serving the next share
 * of the connections. Sending a ping costs a socket write, tens of microseconds on a busy machine,
 * and every frame waiting behind the tick waits that long: pinging 10,000 sockets in 20 slices of
 * 500 held the event loop for 20–56 ms every 1.5 s under load (and a single burst of 10,000,
 * hundreds of ms); 300 ticks of about 34 hold it for a few milliseconds. The round walks the
 * hub's live iterator, so it holds no list of its own: connections opened meanwhile join it,
 * closed ones drop out of it.
 */
export function startHeartbeat(hub: ConnectionHub, intervalMs: number): () => void {
  const ticksPerRound = Math.max(1, Math.round(intervalMs / TICK_MS))
  let round: Iterator<ClientConnection> | undefined
  let tick = 0
  const timer = setInterval(() => {
    // A round begins every interval; one still unfinished then (the hub grew) goes on instead.
    if (tick === 0) round ??= hub.connections()
    tick = (tick + 1) % ticksPerRound
    if (!round) return
    // The share follows the hub's size, so a round finishes within its interval unless the hub
    // grew late in it. At least one, so that a round without connections ends.
    const share = Math.max(1, Math.ceil(hub.size / ticksPerRound))
    for (let served = 0; served < share; served += 1) {
      const next = round.next()
      if (next.done) {
        round = undefined
        return
      }
      visit(next.value)
    }
  }, intervalMs / ticksPerRound)
  timer.unref()
  return () => clearInterval(timer)
}

function visit(connection: ClientConnection): void {
  // Closed since the round began: nothing to check.
  if (!connection.isOpen) return
  if (!connection.alive) {
    connection.close(CloseCode.HeartbeatTimeout, 'heartbeat timeout')
    connection.socket.terminate()
    return
  }
  connection.alive = false
  connection.socket.ping()
}
