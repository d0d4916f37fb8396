import { afterEach, describe, expect, it } from 'vitest'
import { EventsClient, type EventsClientListener } from '../../../src/main/core/eventsClient'
import type { AnyTidingsEvent } from '../../../src/shared/events'
import type { ConnectionState } from '../../../src/shared/ipc'
import { ManualClock } from './support/manualClock'
import { ScriptedPeer, established, messageEvent, type PeerAction } from './support/scriptedPeer'

/** Records what the client reports and lets the test wait for it. */
class ListenerLog implements EventsClientListener {
  readonly events: AnyTidingsEvent[] = []
  readonly states: ConnectionState[] = []
  readonly resyncs: { reason: string; latestId: number }[] = []
  readonly signOuts: string[] = []
  readonly positions: number[] = []
  private waiters: (() => void)[] = []

  event(event: AnyTidingsEvent): void {
    this.events.push(event)
    this.wake()
  }
  resync(reason: string, latestId: number): void {
    this.resyncs.push({ reason, latestId })
    this.wake()
  }
  state(state: ConnectionState): void {
    this.states.push({ ...state })
    this.wake()
  }
  signedOut(reason: string): void {
    this.signOuts.push(reason)
    this.wake()
  }

  until(check: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
    if (check()) return Promise.resolve()
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), timeoutMs)
      const waiter = () => {
        if (!check()) return
        clearTimeout(timer)
        this.waiters = this.waiters.filter((w) => w !== waiter)
        resolve()
      }
      this.waiters.push(waiter)
    })
  }

  private wake(): void {
    for (const waiter of [...this.waiters]) waiter()
  }
}

describe('events client', () => {
  const cleanup: (() => Promise<void> | void)[] = []
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step()
  })

  async function setup(
    decide: (attempt: number, url: URL) => PeerAction,
    options: Partial<ConstructorParameters<typeof EventsClient>[0]> = {},
  ) {
    const peer = new ScriptedPeer(decide)
    const url = await peer.listen()
    const log = new ListenerLog()
    const client = new EventsClient({
      serverUrl: url,
      token: 'tok',
      resumeFrom: null,
      savePosition: (id) => log.positions.push(id),
      listener: log,
      backoff: { baseMs: 20, capMs: 100 },
      ...options,
    })
    cleanup.push(() => peer.close())
    cleanup.push(() => client.stop())
    return { peer, log, client }
  }

  it('drops events at or below the processed position, keeps typing, and persists the position', async () => {
    const { log, client, peer } = await setup(() => ({
      kind: 'accept',
      script: (socket) => {
        socket.send(established(4))
        socket.send(messageEvent(5, 'five'))
        socket.send(messageEvent(3, 'stale'))
        socket.send(messageEvent(5, 'five again'))
        socket.send(
          JSON.stringify({
            type: 'typing_indicator',
            id: null,
            timestamp: '2026-01-15T15:30:00Z',
            timezone: 'UTC',
            data: { conversation_id: 1, user_id: 2, display_name: 'Jane', is_typing: true },
          }),
        )
        socket.send(messageEvent(7, 'seven'))
      },
    }))
    client.start()
    await log.until(() => log.events.some((e) => e.id === 7), 'event 7')
    expect(log.events.map((e) => [e.type, e.id])).toEqual([
      ['message_received', 5],
      ['typing_indicator', null],
      ['message_received', 7],
    ])
    // The first connection starts at latest_event_id; typing never moves the position.
    expect(log.positions).toEqual([4, 5, 7])
    expect(client.position).toBe(7)
    expect(peer.handshakes[0]?.searchParams.get('since')).toBeNull()
    expect(peer.handshakes[0]?.searchParams.get('token')).toBe('tok')
  })

  it('resumes with since, and continues from latest_id after resync_required', async () => {
    const { log, client, peer } = await setup(
      () => ({
        kind: 'accept',
        script: (socket) => {
          socket.send(established(900))
          socket.send(
            JSON.stringify({
              type: 'resync_required',
              reason: 'retention',
              latest_id: 900,
              message: 'too old',
            }),
          )
          socket.send(messageEvent(899, 'covered by the resync'))
          socket.send(messageEvent(901, 'next'))
        },
      }),
      { resumeFrom: 12 },
    )
    client.start()
    await log.until(() => log.events.length === 1, 'event after resync')
    expect(peer.handshakes[0]?.searchParams.get('since')).toBe('12')
    expect(log.resyncs).toEqual([{ reason: 'retention', latestId: 900 }])
    expect(log.events.map((e) => e.id)).toEqual([901])
    expect(log.positions).toEqual([900, 901])
  })

  it('detects a half-dead socket by its silence and replaces it', async () => {
    const { log, client, peer } = await setup(
      () => ({
        kind: 'accept',
        // Answers the handshake, then never says anything again (not even pong).
        script: (socket) => socket.send(established(0)),
      }),
      { heartbeat: { pingIntervalMs: 40, silenceTimeoutMs: 150, probeTimeoutMs: 50 } },
    )
    client.start()
    await peer.waitForHandshakes(2)
    await log.until(
      () => log.states.filter((s) => s.status === 'connected').length >= 2,
      'second connection',
    )
    const firstDrop = log.states.findIndex((s) => s.status === 'reconnecting')
    expect(firstDrop).toBeGreaterThan(0)
    expect(peer.handshakes[1]?.searchParams.get('since')).toBe('0')
  })

  it('never retries a handshake refused with 401', async () => {
    const { log, client, peer } = await setup(() => ({ kind: 'reject', status: 401 }), {
      random: () => 0,
    })
    client.start()
    await log.until(() => log.signOuts.length === 1, 'signed out')
    client.reconnectNow()
    client.start()
    expect(client.state.status).toBe('signed_out')
    expect(log.states.map((s) => s.status)).toEqual(['connecting', 'signed_out'])
    expect(peer.handshakes).toHaveLength(1)
  })

  it('never retries after close code 4001, but does after 1001', async () => {
    const closeWith = [1001, 4001]
    const { log, client, peer } = await setup(() => ({
      kind: 'accept',
      script: (socket) => {
        socket.send(established(0))
        socket.close(closeWith.shift() ?? 1000)
      },
    }))
    client.start()
    await log.until(() => log.signOuts.length === 1, 'signed out')
    expect(peer.handshakes).toHaveLength(2)
    expect(log.states.map((s) => s.status)).toEqual([
      'connecting',
      'connected',
      'reconnecting',
      'reconnecting',
      'connected',
      'signed_out',
    ])
  })

  it('backs off exponentially with jitter and resets after a successful connection', async () => {
    const clock = new ManualClock()
    // Three refused attempts, then one that connects and drops, then refusals again.
    const plan: PeerAction[] = [
      { kind: 'reject', status: 503 },
      { kind: 'reject', status: 503 },
      { kind: 'reject', status: 503 },
      {
        kind: 'accept',
        script: (socket) => {
          socket.send(established(0))
          socket.close(1011)
        },
      },
    ]
    const { log, client, peer } = await setup(
      () => plan.shift() ?? { kind: 'reject', status: 503 },
      { clock, random: () => 0.5, backoff: { baseMs: 500, capMs: 30_000 } },
    )
    const delays: number[] = []
    const waitForDelay = async (n: number) => {
      await log.until(
        () => log.states.filter((s) => s.next_attempt_at !== null).length >= n,
        `reconnect #${n} scheduled`,
      )
      const scheduled = log.states.filter((s) => s.next_attempt_at !== null)[n - 1]!
      const delay = Date.parse(scheduled.next_attempt_at!) - clock.now()
      delays.push(delay)
      return delay
    }

    client.start()
    for (let n = 1; n <= 4; n++) {
      const delay = await waitForDelay(n)
      // Nothing happens before the delay has passed...
      expect(peer.handshakes).toHaveLength(n)
      clock.advance(delay)
      // ...and the next attempt starts when it has.
      await peer.waitForHandshakes(n + 1)
    }
    // Half of 500, 1000, 2000 ms; then, after the successful connection, back to half of 500.
    expect(delays).toEqual([250, 500, 1000, 250])
    expect(log.states.at(-1)?.status).toBe('reconnecting')
  })

  it('reconnectNow skips the wait', async () => {
    const clock = new ManualClock()
    const plan: PeerAction[] = [{ kind: 'reject', status: 503 }]
    const { log, client, peer } = await setup(
      () => plan.shift() ?? { kind: 'accept', script: (socket) => socket.send(established(0)) },
      { clock, random: () => 0.99, backoff: { baseMs: 60_000, capMs: 60_000 } },
    )
    client.start()
    await log.until(() => log.states.some((s) => s.status === 'reconnecting'), 'waiting')
    client.reconnectNow()
    await log.until(() => log.states.at(-1)?.status === 'connected', 'connected')
    expect(peer.handshakes).toHaveLength(2)
  })
})
