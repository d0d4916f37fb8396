import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { CloseCode } from '../../src/shared/closeCodes'
import type { ClientConnection } from '../../server/realtime/clientConnection'
import { ConnectionHub } from '../../server/realtime/connectionHub'
import { startHeartbeat } from '../../server/realtime/heartbeat'

/** What the heartbeat touches of a connection, recording what it did. */
interface Probe {
  userId: number
  alive: boolean
  isOpen: boolean
  pings: number[]
  closedWith: number | undefined
}

function probe(userId: number): Probe & ClientConnection {
  const p: Probe = { userId, alive: true, isOpen: true, pings: [], closedWith: undefined }
  const connection = Object.assign(p, {
    socket: {
      ping: () => p.pings.push(Date.now()),
      terminate: () => {
        p.isOpen = false
      },
    },
    close: (code: number) => {
      p.closedWith = code
    },
  })
  return connection as unknown as Probe & ClientConnection
}

/**
 * The heartbeat's schedule, on the real ConnectionHub with recording connections and fake timers:
 * the spread is what keeps pings from holding the event loop, so it is checked exactly.
 */
describe('heartbeat', () => {
  let stop: (() => void) | undefined
  beforeEach(() => {
    vi.useFakeTimers()
  })
  afterEach(() => {
    stop?.()
    vi.useRealTimers()
  })

  /** A real hub holding `connections`, with the heartbeat running on it. */
  function heartbeatOver(connections: ClientConnection[], intervalMs: number): ConnectionHub {
    const hub = new ConnectionHub()
    for (const c of connections) hub.add(c)
    stop = startHeartbeat(hub, intervalMs)
    return hub
  }

  it('pings every connection once per interval, a few per tick instead of all at once', () => {
    const connections = Array.from({ length: 1000 }, (_, i) => probe(i + 1))
    heartbeatOver(connections, 30_000)

    vi.advanceTimersByTime(100)
    // 1,000 connections over 300 ticks: 4 per tick.
    expect(connections.filter((c) => c.pings.length > 0)).toHaveLength(4)

    vi.advanceTimersByTime(30_000 - 100)
    expect(connections.map((c) => c.pings.length)).toEqual(connections.map(() => 1))
    // No tick pinged more than its share.
    const perTick = new Map<number, number>()
    for (const c of connections) perTick.set(c.pings[0]!, (perTick.get(c.pings[0]!) ?? 0) + 1)
    expect(Math.max(...perTick.values())).toBe(4)
  })

  it('closes with 4010 a connection silent since its last ping, and keeps the others', () => {
    const [answering, silent] = [probe(1), probe(2)]
    heartbeatOver([answering, silent], 1_000)

    vi.advanceTimersByTime(1_000)
    expect([answering.pings.length, silent.pings.length]).toEqual([1, 1])
    answering.alive = true // a pong or any frame

    vi.advanceTimersByTime(1_000)
    expect(answering.pings).toHaveLength(2)
    expect(answering.closedWith).toBeUndefined()
    expect(silent.closedWith).toBe(CloseCode.HeartbeatTimeout)
    expect(silent.isOpen).toBe(false)
  })

  it('serves connections opened during a round in that round, and skips closed ones', () => {
    const first = Array.from({ length: 10 }, (_, i) => probe(i + 1))
    const hub = heartbeatOver(first, 1_000)

    vi.advanceTimersByTime(100)
    const late = probe(99)
    hub.add(late)
    hub.remove(first[9]!)
    vi.advanceTimersByTime(1_000)
    expect(late.pings.length).toBeGreaterThanOrEqual(1)
    expect(first[9]!.pings).toHaveLength(0)
    expect(first.slice(0, 9).every((c) => c.pings.length >= 1)).toBe(true)
  })
})
