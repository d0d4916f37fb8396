import '../src/shared/nodeVersionGuard' // first: Node 24 or a clear refusal, before native code loads
import { fork, spawnSync } from 'node:child_process'
import http from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { setImmediate as nextTurn } from 'node:timers/promises'
import WebSocket, { WebSocketServer } from 'ws'
import { ClientConnection, type ConnectionOwner } from '../server/realtime/clientConnection'
import { ConnectionHub } from '../server/realtime/connectionHub'
import type { OutgoingEvent } from '../server/storage/eventSink'

/**
 * `npm run bench:delivery`: what delivering a committed event costs the server per receiving
 * socket, without storage. The server's own ConnectionHub and ClientConnections hold real sockets
 * whose clients run in a child process (on the other core where `taskset` exists); events go to
 * 10-member audiences, a few per batch as group commit hands them over at the load bench's top
 * 10-member rates, so that each socket gets one frame per batch and a write of its own. Reported:
 * the main thread's CPU per delivery, against the same batches sent the way a ws server does
 * (`ws.send` per socket, the payload encoded once, every socket corked for the batch), in
 * alternating rounds so that the machine's drift falls on both. The child counts what arrives:
 * a round that lost a frame fails the run.
 */
const ROOM = 10
const PER_BATCH = 4
const BATCHES_PER_ROUND = 2_500
const ROUNDS = 6

const shell = (command: string) =>
  spawnSync('sh', ['-c', command], { encoding: 'utf8' }).stdout.trim()
const fdLimit = Number(shell('ulimit -n')) || 1024
/** Sockets held, within the open-file limit that each process (server, clients) has. */
const SOCKETS = Math.min(5_000, Math.floor((fdLimit - 100) / ROOM) * ROOM)

if (process.argv[2] === 'clients') await runClients(Number(process.argv[3]))
else await runServer()

async function runClients(port: number): Promise<void> {
  let received = 0
  let open = 0
  for (let i = 0; i < SOCKETS; i += 1) {
    const client = new WebSocket(`ws://127.0.0.1:${port}/`, { perMessageDeflate: false })
    client.on('open', () => {
      open += 1
      if (open === SOCKETS) process.send!({ open })
    })
    client.on('message', () => void (received += 1))
  }
  process.on('message', () => process.send!({ received }))
  process.on('disconnect', () => process.exit(0))
}

async function runServer(): Promise<void> {
  pin(process.pid, 1)
  const hub = new ConnectionHub()
  const owner: ConnectionOwner = {
    frame: () => {},
    closed: () => {},
    protocolError: () => {},
    replayFailed: () => {},
  }
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false })
  const server = http.createServer()
  const byUser: ClientConnection[] = []
  server.on('upgrade', (request, socket, head) => {
    wss.handleUpgrade(request, socket, head, (ws) => {
      const userId = byUser.length + 1
      const connection = new ClientConnection(ws, request.socket as Socket, userId, '', owner)
      byUser.push(connection)
      hub.add(connection)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const clients = fork(import.meta.filename, [
    'clients',
    String((server.address() as AddressInfo).port),
  ])
  pin(clients.pid!, 0)
  const ask = () => new Promise<unknown>((resolve) => clients.once('message', resolve))
  await ask()

  const json = JSON.stringify({
    type: 'message_received',
    id: 0,
    timestamp: new Date().toISOString(),
    timezone: 'UTC',
    data: { message: { id: 1, conversation_id: 1, sender_id: 1, text: 'x'.repeat(40) } },
  })
  let nextRoom = 0
  /** The next batch: PER_BATCH events, each to the next 10 consecutive users. */
  function batch(): OutgoingEvent[] {
    return Array.from({ length: PER_BATCH }, () => {
      const first = (nextRoom++ * ROOM) % SOCKETS
      const audience = Array.from({ length: ROOM }, (_, k) => first + k + 1)
      return { type: 'message_received', id: 0, json, audience }
    })
  }
  const text = { binary: false } as const
  const modes: Record<string, (events: OutgoingEvent[]) => void> = {
    'ConnectionHub (one frame per event)': (events) => hub.deliverAll(events),
    'ws.send per socket': (events) => {
      const corked = new Set<ClientConnection>()
      for (const event of events) {
        const payload = Buffer.from(event.json)
        for (const userId of event.audience) {
          const connection = byUser[userId - 1]!
          if (!corked.has(connection)) {
            corked.add(connection)
            connection.cork()
          }
          connection.socket.send(payload, text)
        }
      }
      for (const connection of corked) connection.uncork()
    },
  }

  /** Per mode and round: main-thread CPU per delivery, user and system (µs). */
  const results: Record<string, { user: number; system: number }[]> = {}
  let expected = 0
  console.log(
    `delivery to ${SOCKETS} sockets, ${PER_BATCH} events of ${Buffer.byteLength(json)} bytes to ${ROOM} members per batch:`,
  )
  for (let round = 0; round < ROUNDS; round += 1) {
    const names = Object.keys(modes)
    for (const name of round % 2 === 0 ? names : names.reverse()) {
      const deliver = modes[name]!
      await nextTurn()
      const start = process.threadCpuUsage()
      for (let i = 0; i < BATCHES_PER_ROUND; i += 1) {
        deliver(batch())
        // A turn per batch, as group commit takes one: the writes' callbacks run in between.
        await nextTurn()
      }
      const used = process.threadCpuUsage(start)
      expected += BATCHES_PER_ROUND * PER_BATCH * ROOM
      const deliveries = BATCHES_PER_ROUND * PER_BATCH * ROOM
      ;(results[name] ??= []).push({
        user: used.user / deliveries,
        system: used.system / deliveries,
      })
    }
  }
  // Every frame sent must have arrived before the figures count.
  for (let tries = 0; ; tries += 1) {
    clients.send('count')
    const { received } = (await ask()) as { received: number }
    if (received === expected) break
    if (tries === 50) throw new Error(`clients received ${received} of ${expected} frames`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  for (const [name, rounds] of Object.entries(results)) {
    const total = rounds.map((r) => r.user + r.system)
    const middle = rounds[total.indexOf(median(total))]!
    console.log(
      `  ${name}: ${median(total).toFixed(2)} µs main-thread CPU per delivery, median of ${ROUNDS} rounds (user ${middle.user.toFixed(2)}, system ${middle.system.toFixed(2)}); rounds: ${total.map((us) => us.toFixed(2)).join(', ')}`,
    )
  }
  console.log(`  all ${expected} frames arrived`)
  clients.disconnect()
  for (const connection of byUser) connection.socket.terminate()
  server.close()
}

/** The middle value (the upper one of an even count's two). */
function median(values: number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!
}

/** Pins a process to a core where `taskset` exists (as the load bench does); else leaves it. */
function pin(pid: number, core: number): void {
  spawnSync('taskset', ['-pc', String(core), String(pid)], { stdio: 'ignore' })
}
