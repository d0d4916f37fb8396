import { monitorEventLoopDelay } from 'node:perf_hooks'
import { Layout, delay, nowMs, readConfig, summarize, type LatencySummary } from '../shared'
import type { LoadgenMessage, Scenario, ServerStats } from '../shared'
import { BenchClient, benchClientId, createClient, createSender } from './clients'
import type { ConnectResult, FanoutStep, KindResult, ResumeResult, StormResult } from './results'

/**
 * The load generator: one child process, pinned to its own core by the runner, driving every
 * scenario against the one server it was given. All loops are bounded in count and time.
 */
const config = readConfig()
const layout = new Layout(config)
const kind = config.kind
const port = config.port ?? 0
const quick = config.quick
const sender = createSender(kind, layout, port, config.restSend)
// The resume scenario sends 1,000 messages from one user as fast as it can: over Tidings' socket
// that user would meet the per-connection frame limit (20/s), so those go over REST.
const bulkSender = kind === 'tidings' ? createSender(kind, layout, port, true) : sender
const clients: BenchClient[] = []
for (let id = 1; id <= config.users; id += 1) clients.push(createClient(kind, id, layout, port))
const notes: string[] = []
const incomplete: string[] = []
const budgetEnd = nowMs() + (config.budgetMs ?? (quick ? 50_000 : 190_000))
/** Milliseconds left of this server's budget. */
const timeLeft = () => budgetEnd - nowMs()
/** Kept for the storm and resume at the end of the run. */
const RESERVE_MS = quick ? 6_000 : 75_000
const TEXT_PAD = 'The quick brown fox jumps over the lazy dog. '

let nextRequest = 1
const waiting = new Map<number, (stats: ServerStats) => void>()
process.on('message', (message: { type: string; id: number; stats: ServerStats }) => {
  if (message.type !== 'stats') return
  waiting.get(message.id)?.(message.stats)
  waiting.delete(message.id)
})

function serverStats(reset: boolean, gc = false): Promise<ServerStats> {
  const id = nextRequest++
  return new Promise((resolve) => {
    waiting.set(id, resolve)
    process.send?.({ type: 'stats', id, reset, gc } satisfies LoadgenMessage)
  })
}

function log(text: string): void {
  process.send?.({ type: 'log', text: `[${kind}] ${text}` } satisfies LoadgenMessage)
}

/** Waits until `done()` or the deadline; polls every `everyMs`. Returns whether done. */
async function until(done: () => boolean, timeoutMs: number, everyMs = 10): Promise<boolean> {
  const deadline = nowMs() + timeoutMs
  while (!done()) {
    if (nowMs() > deadline) return false
    await delay(everyMs)
  }
  return true
}

/** Waits until no frame arrived for `quietMs` (bounded by `maxMs`). */
async function settle(quietMs: number, maxMs: number): Promise<void> {
  const deadline = nowMs() + maxMs
  let last = BenchClient.framesReceived
  let quietSince = nowMs()
  while (nowMs() < deadline) {
    await delay(50)
    if (BenchClient.framesReceived !== last) {
      last = BenchClient.framesReceived
      quietSince = nowMs()
    } else if (nowMs() - quietSince >= quietMs) return
  }
}

/** Runs `task` over `items` with at most `limit` in flight. */
async function pool<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>) {
  let index = 0
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (index < items.length) {
      const item = items[index++]!
      await task(item)
    }
  })
  await Promise.all(workers)
}

async function connectWithRetry(
  client: BenchClient,
  resume: boolean,
  attempts: number,
  until = budgetEnd,
) {
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await client.connect(resume)
    } catch (error) {
      if (attempt + 1 >= attempts || nowMs() > until) throw error
      await delay(Math.min(4000, 100 * 2 ** attempt) * (0.5 + Math.random() / 2))
    }
  }
}

/**
 * The load generator's own event-loop delay: a stall here (its GC, say) delays the receipt of
 * frames the server already sent, and shows up as send-to-receive latency. Reported per step so
 * that such latency is not taken for the server's.
 */
const ownLoop = monitorEventLoopDelay({ resolution: 5 })
ownLoop.enable()

function loadgenCpu() {
  let base = process.cpuUsage()
  let wall = nowMs()
  return () => {
    const used = process.cpuUsage(base)
    const share = (used.user + used.system) / 1000 / (nowMs() - wall)
    base = process.cpuUsage()
    wall = nowMs()
    return share
  }
}

async function scenarioConnect(): Promise<ConnectResult> {
  log(`connect: warm-up, then ramp to ${clients.length} connections`)
  const warm = clients.slice(0, Math.min(50, clients.length))
  await pool(warm, 25, async (client) => {
    await connectWithRetry(client, false, 3)
  })
  for (const client of warm) client.drop()
  await delay(300)
  const before = await serverStats(true, true)
  const times: number[] = []
  let failures = 0
  const started = nowMs()
  const cpu = loadgenCpu()
  const progress = setInterval(() => {
    log(
      `connect: ${times.length} ready, ${failures} failed after ${((nowMs() - started) / 1000).toFixed(0)} s`,
    )
  }, 10_000)
  await pool(clients, 200, async (client) => {
    try {
      times.push(await connectWithRetry(client, false, 5))
    } catch {
      failures += 1
    }
  })
  clearInterval(progress)
  const rampMs = nowMs() - started
  const ramp = await serverStats(true)
  const loadgenCores = cpu()
  await settle(500, quick ? 5_000 : 30_000)
  await delay(500)
  const after = await serverStats(true, true)
  const connected = clients.filter((c) => c.connected).length
  const summary = summarize(times)
  log(
    `connect: ${connected}/${clients.length} in ${(rampMs / 1000).toFixed(1)} s, p50 ${summary.p50.toFixed(1)} ms p99 ${summary.p99.toFixed(1)} ms`,
  )
  return {
    connections: connected,
    failures,
    rampMs,
    p50Ms: summary.p50,
    p99Ms: summary.p99,
    maxMs: summary.max,
    rssPerConnBytes: (after.rssBytes - before.rssBytes) / Math.max(1, connected),
    heapPerConnBytes:
      (after.heapUsedBytes + after.externalBytes - before.heapUsedBytes - before.externalBytes) /
      Math.max(1, connected),
    rssBeforeBytes: before.rssBytes,
    rssAfterBytes: after.rssBytes,
    serverCpuCores: ramp.cpuCores,
    loopDelayP99Ms: ramp.loopDelayP99Ms,
    loadgenCores,
  }
}

/** Delivery bookkeeping for one tag: count per message and latency samples. */
class Tally {
  readonly counts = new Map<number, number>()
  latencies: number[] = []
  delivered = 0
  lastAt = 0

  constructor(readonly tag: string) {}

  record(seq: number, sentAt: number): void {
    const now = nowMs()
    this.counts.set(seq, (this.counts.get(seq) ?? 0) + 1)
    this.latencies.push(now - sentAt)
    this.delivered += 1
    this.lastAt = now
  }
}

const tallies = new Map<string, Tally>()
BenchClient.onDelivery = (client, tag, seq, sentAt) => {
  tallies.get(tag)?.record(seq, sentAt)
  perClient.get(tag)?.(client, seq)
}
/** Scenario hooks that need to know which client got what (resume, storm). */
const perClient = new Map<string, (client: BenchClient, seq: number) => void>()

let tagCounter = 0
function newTag(prefix: string): string {
  tagCounter += 1
  return `${prefix}${tagCounter}`
}

/**
 * Sends at `rate` msg/s for `durationMs` (conversation and sender from `pick`), at most
 * `maxInFlight` unanswered; then waits for every accepted message's deliveries.
 */
async function runStep(
  rate: number,
  durationMs: number,
  pick: (seq: number) => { conversationId: number; senderId: number },
  drainMs: number,
  maxInFlight: number,
): Promise<FanoutStep> {
  const tag = newTag('f')
  const tally = new Tally(tag)
  tallies.set(tag, tally)
  const expectedPer = new Map<number, number>()
  let accepted = 0
  let failed = 0
  let skipped = 0
  let inFlight = 0
  let seq = 0
  await serverStats(true)
  const cpu = loadgenCpu()
  ownLoop.reset()
  const started = nowMs()
  const sends: Promise<void>[] = []
  const total = Math.round((rate * durationMs) / 1000)
  while (seq < total) {
    const elapsed = nowMs() - started
    if (elapsed > durationMs + 1000) break
    const due = Math.min(total, Math.floor((rate * elapsed) / 1000) + 1)
    while (seq < due) {
      seq += 1
      if (inFlight >= maxInFlight) {
        skipped += 1
        continue
      }
      const { conversationId, senderId } = pick(seq)
      const sentAt = nowMs()
      const id = seq
      expectedPer.set(id, layout.members(conversationId).length)
      inFlight += 1
      sends.push(
        sender
          .send(senderId, conversationId, `${TEXT_PAD}#${id}`, benchClientId(tag, id, sentAt))
          .then(
            () => {
              accepted += 1
            },
            (error: unknown) => {
              failed += 1
              expectedPer.delete(id)
              if (failed <= 3) notes.push(`send failed: ${String(error)}`)
            },
          )
          .finally(() => {
            inFlight -= 1
          }),
      )
    }
    await delay(2)
  }
  const sendMs = nowMs() - started
  await Promise.all(sends)
  let expected = 0
  for (const n of expectedPer.values()) expected += n
  await until(() => tally.delivered >= expected, drainMs)
  const stats = await serverStats(true)
  const loadgenCores = cpu()
  tallies.delete(tag)
  let missing = 0
  let doubled = 0
  for (const [id, want] of expectedPer) {
    const got = tally.counts.get(id) ?? 0
    if (got < want) missing += want - got
    if (got > want) doubled += got - want
  }
  const latency: LatencySummary = summarize(tally.latencies)
  const spanMs = Math.max(1, (tally.lastAt || nowMs()) - started)
  return {
    targetRate: rate,
    sentRate: (accepted / sendMs) * 1000,
    accepted,
    failed,
    skipped,
    expected,
    delivered: tally.delivered,
    missing,
    doubled,
    deliveriesPerSec: (tally.delivered / spanMs) * 1000,
    latency,
    serverCpuCores: stats.cpuCores,
    loopDelayP99Ms: stats.loopDelayP99Ms,
    loopDelayMaxMs: stats.loopDelayMaxMs,
    loadgenCores,
    loadgenLoopDelayMaxMs: ownLoop.max / 1e6,
  }
}

async function scenarioFanout(room: 'small' | 'big'): Promise<FanoutStep[]> {
  const rates =
    room === 'small'
      ? quick
        ? [200]
        : [250, 500, 1000, 2000, 4000, 6000, 8000]
      : quick
        ? [20]
        : [10, 25, 50, 100, 200]
  const durationMs = quick ? 1500 : 3000
  const drainMs = quick ? 5000 : 8000
  // Unanswered sends are capped (about 0.2 s of the offered rate): past that the server is not
  // keeping up, and the step records the sends it skipped instead of queueing without bound.
  const inFlightFor = (rate: number) => Math.max(10, Math.round(rate / 5))
  const bigMembers = layout.members(layout.bigId)
  const pick =
    room === 'small'
      ? (seq: number) => {
          // Each conversation's sends rotate over three of its members, the large one's over 20
          // members: every sender stays well under a server's per-connection frame rate limit.
          const conversationId = ((seq - 1) % layout.smallCount) + 1
          const round = Math.floor((seq - 1) / layout.smallCount)
          const members = layout.members(conversationId)
          return { conversationId, senderId: members[round % Math.min(3, members.length)]! }
        }
      : (seq: number) => ({
          conversationId: layout.bigId,
          senderId: bigMembers[seq % Math.min(20, bigMembers.length)]!,
        })
  // Every sending socket is open before anything is measured (they would otherwise connect
  // during the first steps, for every server alike).
  const senders = new Set<number>()
  for (let seq = 1; seq <= (room === 'small' ? layout.smallCount * 3 : 20); seq += 1) {
    senders.add(pick(seq).senderId)
  }
  await sender.prepare([...senders])
  log(`fan-out ${room}: warm-up`)
  await runStep(room === 'small' ? 100 : 5, 1000, pick, drainMs, 50)
  const steps: FanoutStep[] = []
  for (const rate of rates) {
    if (timeLeft() < RESERVE_MS + durationMs + (quick ? 1000 : drainMs)) {
      incomplete.push(`fan-out ${room} from ${rate} msg/s (time budget)`)
      break
    }
    const step = await runStep(rate, durationMs, pick, drainMs, inFlightFor(rate))
    log(
      `fan-out ${room} ${rate} msg/s: ${Math.round(step.deliveriesPerSec)} deliveries/s, p50 ${step.latency.p50.toFixed(1)} p99 ${step.latency.p99.toFixed(1)} ms, missing ${step.missing}, server cpu ${(step.serverCpuCores * 100).toFixed(0)}%`,
    )
    steps.push(step)
    await settle(200, 5000)
    // Saturated (it accepted under 60 % of the offered rate): higher steps would show nothing new.
    if (step.sentRate < 0.6 * rate) {
      log(`fan-out ${room}: saturated at ${rate} msg/s; higher steps skipped`)
      break
    }
  }
  return steps
}

/** A user away while `count` events were sent to them comes back and must get each exactly once. */
async function resumeRound(count: number): Promise<ResumeResult> {
  const conversationId = layout.smallOf(config.users)
  const members = layout.members(conversationId)
  const away = clients[members.at(-1)! - 1]!
  const senderId = members[0]!
  const tag = newTag('r')
  const got = new Map<number, number>()
  let lastAt = 0
  perClient.set(tag, (client, seq) => {
    if (client !== away) return
    got.set(seq, (got.get(seq) ?? 0) + 1)
    lastAt = nowMs()
  })
  away.drop()
  // Give the server time to see the drop (Socket.IO stores the session for recovery then).
  await delay(1000)
  const seqs = Array.from({ length: count }, (_, i) => i + 1)
  let failed = 0
  await pool(seqs, 50, async (seq) => {
    try {
      await bulkSender.send(
        senderId,
        conversationId,
        `${TEXT_PAD}#${seq}`,
        benchClientId(tag, seq, nowMs()),
      )
    } catch {
      failed += 1
    }
  })
  await delay(100)
  const started = nowMs()
  const readyMs = await connectWithRetry(away, true, 3)
  const complete = await until(() => got.size >= count - failed, quick ? 5000 : 10_000, 1)
  const totalMs = (complete ? lastAt : nowMs()) - started
  perClient.delete(tag)
  let doubled = 0
  for (const n of got.values()) if (n > 1) doubled += n - 1
  return {
    events: count,
    failedSends: failed,
    readyMs,
    totalMs: Math.max(totalMs, readyMs),
    received: got.size,
    missing: count - failed - got.size,
    doubled,
    recovered: away.recovered,
  }
}

async function scenarioResume(): Promise<ResumeResult | null> {
  if (kind === 'rawws') return null
  log('resume: warm-up with 100 events')
  await resumeRound(100)
  await settle(200, 3000)
  const result = await resumeRound(1000)
  log(
    `resume 1000: ${result.totalMs.toFixed(1)} ms, missing ${result.missing}, doubled ${result.doubled}, recovered ${result.recovered}`,
  )
  return result
}

/**
 * Every client dropped at once; while they are away, messages go into their conversations; each
 * reconnects after a jittered delay (exponential backoff on failure). Done when all are back and
 * every message reached each member exactly once.
 */
async function scenarioStorm(): Promise<StormResult> {
  const messages = quick ? 200 : Math.min(2000, layout.smallCount * 2)
  const jitterMs = quick ? 1000 : 3000
  const tag = newTag('s')
  const expected = new Map<BenchClient, number>()
  const got = new Map<BenchClient, Map<number, number>>()
  const doneAt = new Map<BenchClient, number>()
  perClient.set(tag, (client, seq) => {
    let mine = got.get(client)
    if (!mine) {
      mine = new Map()
      got.set(client, mine)
    }
    mine.set(seq, (mine.get(seq) ?? 0) + 1)
  })
  log(`storm: dropping ${clients.length} clients, ${messages} messages while they are away`)
  await serverStats(true)
  const started = nowMs()
  // Bounded by the budget: what has not caught up by then counts as not caught up.
  const stormEnd = Math.min(started + (quick ? 10_000 : 45_000), budgetEnd - (quick ? 2500 : 8000))
  for (const client of clients) client.drop()
  let reconnectFailures = 0
  let resyncs = 0
  let reconnectsSettled = 0
  const reconnects = clients.map(async (client) => {
    await delay(50 + Math.random() * jitterMs)
    try {
      await connectWithRetry(client, kind !== 'rawws', 8, stormEnd)
      if (kind === 'tidings' && !client.recovered) resyncs += 1
    } catch {
      reconnectFailures += 1
    }
    reconnectsSettled += 1
  })
  const seqs = Array.from({ length: messages }, (_, i) => i + 1)
  let failed = 0
  await pool(seqs, 100, async (seq) => {
    const conversationId = ((seq - 1) % layout.smallCount) + 1
    const members = layout.members(conversationId)
    try {
      await sender.send(
        members[0]!,
        conversationId,
        `${TEXT_PAD}#${seq}`,
        benchClientId(tag, seq, nowMs()),
      )
      for (const userId of members) {
        const client = clients[userId - 1]!
        expected.set(client, (expected.get(client) ?? 0) + 1)
      }
    } catch {
      failed += 1
    }
  })
  await Promise.race([Promise.all(reconnects), delay(Math.max(0, stormEnd - nowMs()))])
  const backMs = reconnectsSettled === clients.length ? nowMs() - started : null
  const caughtUp = (client: BenchClient) => {
    if (doneAt.has(client)) return true
    if (!client.connected) return false
    if ((got.get(client)?.size ?? 0) < (expected.get(client) ?? 0)) return false
    doneAt.set(client, nowMs())
    return true
  }
  const expectLoss = kind === 'rawws'
  const all = await until(
    () => clients.every((c) => caughtUp(c)),
    expectLoss ? 2000 : Math.max(0, stormEnd - nowMs()),
    20,
  )
  const notBack = clients.filter((c) => !caughtUp(c)).length
  const stats = await serverStats(true)
  perClient.delete(tag)
  let missing = 0
  let doubled = 0
  let expectedTotal = 0
  for (const client of clients) {
    const want = expected.get(client) ?? 0
    const mine = got.get(client)
    expectedTotal += want
    missing += Math.max(0, want - (mine?.size ?? 0))
    for (const n of mine?.values() ?? []) if (n > 1) doubled += n - 1
  }
  const lastDone = Math.max(started, ...doneAt.values())
  const result: StormResult = {
    clients: clients.length,
    notCaughtUp: expectLoss ? 0 : notBack,
    messages,
    failedSends: failed,
    reconnectFailures,
    resyncs,
    allBackMs: backMs,
    caughtUpMs: all ? lastDone - started : null,
    expectedDeliveries: expectedTotal,
    missing,
    doubled,
    lossExpected: expectLoss,
    serverCpuCores: stats.cpuCores,
    loopDelayP99Ms: stats.loopDelayP99Ms,
    loopDelayMaxMs: stats.loopDelayMaxMs,
  }
  log(
    `storm: all back in ${backMs === null ? 'n/a' : (backMs / 1000).toFixed(2)} s, caught up in ${result.caughtUpMs === null ? 'n/a' : (result.caughtUpMs / 1000).toFixed(2)} s, not caught up ${result.notCaughtUp}, missing ${missing}, doubled ${doubled}`,
  )
  return result
}

const result: KindResult = {
  kind,
  users: config.users,
  bigSize: Math.min(config.bigSize, config.users),
  connect: null,
  fanoutSmall: [],
  fanoutBig: [],
  resume: null,
  storm: null,
  notes,
  incomplete,
}

function report(code: number): void {
  process.send?.({ type: 'result', result } satisfies LoadgenMessage, () => {
    for (const client of clients) client.drop()
    sender.close()
    if (bulkSender !== sender) bulkSender.close()
    setTimeout(() => process.exit(code), 200).unref()
  })
}

async function main(): Promise<void> {
  const deadline = setTimeout(() => {
    log('time budget spent; reporting what finished')
    const names = ['connect', 'fan-out small', 'fan-out big', 'resume', 'storm']
    for (const name of names.slice(stage)) incomplete.push(`${name} (time budget)`)
    report(0)
  }, timeLeft())
  deadline.unref()
  const wanted = (scenario: Scenario) => config.scenarios?.includes(scenario) ?? true
  result.connect = await scenarioConnect()
  stage = 1
  if (wanted('small')) result.fanoutSmall = await scenarioFanout('small')
  stage = 2
  if (wanted('big')) result.fanoutBig = await scenarioFanout('big')
  stage = 3
  if (wanted('resume')) result.resume = await scenarioResume()
  stage = 4
  if (wanted('storm')) result.storm = await scenarioStorm()
  stage = 5
  clearTimeout(deadline)
  report(0)
}
let stage = 0

process.on('disconnect', () => process.exit(5))
main().catch((error: unknown) => {
  log(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`)
  process.exit(2)
})
