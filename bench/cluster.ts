import '../src/shared/nodeVersionGuard'
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import pg from 'pg'
import WebSocket from 'ws'
import { hashSecret } from '../server/services/tokens'
import { PostgresDatabase, createPool } from '../server/storage/postgres/postgresDatabase'
import { runPostgresMigrations } from '../server/storage/postgres/postgresMigrations'
import { percentile } from './shared'

/**
 * `npm run bench:cluster [-- --quick] [--nodes 1,3] [--fsync off]`: Tidings on PostgreSQL, with
 * one node and with three, on this machine. A private PostgreSQL (scripts/postgres/start.sh, fsync
 * on unless told), users seeded straight into it, nodes started with `npm run server` as child
 * processes, and one load generator whose clients are spread over the nodes (user i on node
 * i mod n). Two scenarios, each at a fixed rate of sends over the clients' sockets:
 *  - small: 10-member conversations at `SMALL_RATE` messages/s;
 *  - big: one 1,000-member conversation at `BIG_RATE` messages/s.
 * Reported per run: deliveries per second, send-to-receive latency (all receivers, and those on
 * another node than the sender), deliveries missing (must be 0), and what each part costs: CPU of
 * each node and of PostgreSQL (from /proc), commits per second, events per commit and the time of
 * the append that holds the event-order lock (from the nodes' /metrics). A machine of 2 cores
 * cannot show three nodes scaling (they share the cores with PostgreSQL and the load generator);
 * docs/performance.md does that arithmetic from these costs.
 */
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const args = process.argv.slice(2)
const quick = args.includes('--quick')
const argValue = (name: string) => {
  const index = args.indexOf(name)
  return index >= 0 ? args[index + 1] : undefined
}
const NODE_COUNTS = (argValue('--nodes') ?? '1,3').split(',').map(Number)
const FSYNC = argValue('--fsync') ?? 'on'
const USERS = quick ? 400 : 3000
const SMALL_SIZE = 10
const BIG_SIZE = quick ? 200 : 1000
const SMALL_RATE = Number(argValue('--small-rate') ?? (quick ? 200 : 1000))
const BIG_RATE = quick ? 5 : 20
const SECONDS = quick ? 3 : 15
const SECRET_KEY = Buffer.alloc(32, 9).toString('base64')
const SEED = Math.random().toString(36).slice(2, 10)

const token = (userId: number) => `cluster_${SEED}_${userId}`
const smallCount = Math.ceil(USERS / SMALL_SIZE)
const bigId = smallCount + 1

interface Client {
  userId: number
  node: number
  socket: WebSocket
}

/** One delivery seen by a client: when the message was sent, from which node, to which. */
interface Sample {
  latencyMs: number
  crossNode: boolean
}

interface ScenarioResult {
  name: string
  sent: number
  expected: number
  delivered: number
  missing: number
  deliveriesPerSecond: number
  latencyMs: { p50: number; p99: number; max: number }
  crossNodeLatencyMs: { p50: number; p99: number; max: number; count: number }
  nodeCpuCores: number[]
  postgresCpuCores: number
  loadgenCpuCores: number
  cpuMicrosPerDelivery: number[]
  commitsPerSecond: number
  eventsPerCommit: number
  appendMsMean: number
  postgresCommitsPerSecond: number
  /** Mean per unit of work: waiting for its batch's connection, then running. */
  unitWaitMsMean: number
  unitRunMsMean: number
  /** Each node's event-loop delay p99 over the scenario. */
  eventLoopDelayP99Ms: number[]
}

function shell(command: string): string {
  return execFileSync('sh', ['-c', command], { encoding: 'utf8' }).trim()
}

/**
 * CPU seconds (user + system) of a process, from /proc; with `reaped`, also those of its children
 * that have exited and been waited for (cutime + cstime).
 */
function cpuSeconds(pid: number, reaped = false): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    let ticks = Number(fields[11]) + Number(fields[12])
    if (reaped) ticks += Number(fields[13]) + Number(fields[14])
    return ticks / 100
  } catch {
    return 0
  }
}

/**
 * CPU seconds of the PostgreSQL server: the postmaster, its live children (backends, walwriter,
 * checkpointer…) and the children that exited (their time moves to the postmaster's cutime when
 * it reaps them, so a backend that ends between two samples is neither lost nor counted twice).
 */
function postgresCpuSeconds(postmasterPid: number): number {
  const children = shell(`ps -o pid= --ppid ${postmasterPid} || true`)
    .split('\n')
    .map((line) => Number(line.trim()))
    .filter((pid) => pid > 0)
  return children.reduce((sum, pid) => sum + cpuSeconds(pid), cpuSeconds(postmasterPid, true))
}

async function seed(url: string): Promise<void> {
  const db = new PostgresDatabase(createPool({ url, max: 2, applicationName: 'bench-seed' }))
  await runPostgresMigrations(db)
  const client = await db.pool.connect()
  const now = new Date().toISOString()
  const expires = new Date(Date.now() + 24 * 3600_000).toISOString()
  try {
    await client.query('BEGIN')
    const users = Array.from({ length: USERS }, (_, i) => i + 1)
    await client.query(
      `insert into users (id, username, display_name, password_hash, role, created_at)
       select u, 'bench' || u, 'Bench User ' || u, 'seeded:no-password',
              case when u = 1 then 'admin' else 'member' end, $2
       from unnest($1::bigint[]) as u`,
      [users, now],
    )
    await client.query(`select setval(pg_get_serial_sequence('users', 'id'), $1)`, [USERS])
    await client.query(
      `insert into tokens (token_hash, user_id, created_at, expires_at)
       select h, u, $3, $4 from unnest($1::text[], $2::bigint[]) as t(h, u)`,
      [users.map((u) => hashSecret(token(u))), users, now, expires],
    )
    const conversations = Array.from({ length: bigId }, (_, i) => i + 1)
    await client.query(
      `insert into conversations (id, title, kind, platform, created_by, created_at, updated_at)
       select c, case when c = $2 then 'Everyone' else 'Team ' || c end, 'group', 'tidings', 1, $3, $3
       from unnest($1::bigint[]) as c`,
      [conversations, bigId, now],
    )
    await client.query(`select setval(pg_get_serial_sequence('conversations', 'id'), $1)`, [bigId])
    const memberConversation: number[] = []
    const memberUser: number[] = []
    for (const u of users) {
      memberConversation.push(Math.floor((u - 1) / SMALL_SIZE) + 1)
      memberUser.push(u)
      if (u <= BIG_SIZE) {
        memberConversation.push(bigId)
        memberUser.push(u)
      }
    }
    await client.query(
      `insert into conversation_members (conversation_id, user_id, joined_at,
                                         last_read_message_id, last_delivered_message_id)
       select c, u, $3, 0, 0 from unnest($1::bigint[], $2::bigint[]) as m(c, u)`,
      [memberConversation, memberUser, now],
    )
    // The membership spans a node's unit of work would have written with the joins.
    await client.query(
      `insert into conversation_member_spans (user_id, conversation_id, from_event_id, to_event_id)
       select u, c, 0, null from unnest($1::bigint[], $2::bigint[]) as m(c, u)`,
      [memberConversation, memberUser],
    )
    await client.query('COMMIT')
  } finally {
    client.release()
    await db.close()
  }
}

interface Node {
  child: ChildProcess
  url: string
}

async function startNodeProcess(url: string, core: number | undefined): Promise<Node> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tidings-cluster-node-'))
  const cli = path.join(root, 'server/cli.ts')
  const pin =
    core !== undefined && shell('command -v taskset || true') ? ['taskset', '-c', String(core)] : []
  const profile = args.includes('--cpu-prof')
    ? ['--cpu-prof', `--cpu-prof-dir=${path.join(root, 'bench', 'results', 'profiles')}`]
    : []
  const command = [
    ...pin,
    process.execPath,
    '--max-semi-space-size=16',
    ...profile,
    '--import',
    'tsx',
    cli,
  ]
  const child = spawn(
    command[0]!,
    [...command.slice(1), '--port', '0', '--data-dir', dataDir, '--log-level', 'warn'],
    {
      cwd: root,
      env: {
        ...process.env,
        TIDINGS_DATABASE_URL: url,
        TIDINGS_SECRET_KEY: SECRET_KEY,
        TIDINGS_CLUSTER_POOL_SIZE: '8',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  )
  let output = ''
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk))
  child.once('exit', () => fs.rmSync(dataDir, { recursive: true, force: true }))
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`node did not start:\n${output}`)), 60_000)
    const check = () => {
      const match = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(output)
      if (!match) return
      clearTimeout(timer)
      resolve(Number(match[1]))
    }
    child.stdout!.on('data', check)
    child.once('exit', () => reject(new Error(`node exited:\n${output}`)))
  })
  return { child, url: `http://127.0.0.1:${port}` }
}

/** The sum of a metric's samples (over its labels) in a Prometheus text page. */
function metric(text: string, name: string): number {
  let sum = 0
  for (const line of text.split('\n')) {
    if (line.startsWith(`${name} `) || line.startsWith(`${name}{`)) {
      sum += Number(line.slice(line.lastIndexOf(' ') + 1))
    }
  }
  return sum
}

async function scrape(nodes: Node[]) {
  const pages = await Promise.all(nodes.map(async (n) => (await fetch(`${n.url}/metrics`)).text()))
  const sum = (name: string) => pages.reduce((total, page) => total + metric(page, name), 0)
  return {
    commits: sum('tidings_commit_duration_seconds_count'),
    events: sum('tidings_events_per_commit_sum'),
    appendSeconds: sum('tidings_append_duration_seconds_sum'),
    appends: sum('tidings_append_duration_seconds_count'),
    delivered: pages.map((page) => metric(page, 'tidings_events_delivered_total')),
    unitWaitSeconds: sum('tidings_unit_wait_seconds_sum'),
    unitRunSeconds: sum('tidings_unit_duration_seconds_sum'),
    units: sum('tidings_unit_duration_seconds_count'),
    // prom-client resets its event-loop delay histogram at each scrape: since the one before.
    loopDelayP99: pages.map((page) => metric(page, 'nodejs_eventloop_lag_p99_seconds')),
  }
}

async function connectClients(nodes: Node[]): Promise<Client[]> {
  const clients: Client[] = []
  const batch = 200
  for (let from = 1; from <= USERS; from += batch) {
    const opened = await Promise.all(
      Array.from({ length: Math.min(batch, USERS - from + 1) }, async (_, k) => {
        const userId = from + k
        const node = (userId - 1) % nodes.length
        const url = `${nodes[node]!.url.replace('http', 'ws')}/events/ws/connect?token=${token(userId)}`
        const socket = new WebSocket(url, { perMessageDeflate: false })
        await new Promise<void>((resolve, reject) => {
          socket.once('message', () => resolve())
          socket.once('error', reject)
        })
        return { userId, node, socket }
      }),
    )
    clients.push(...opened)
  }
  return clients
}

async function runScenario(
  name: string,
  nodes: Node[],
  clients: Client[],
  postmasterPid: number,
  admin: pg.Client,
  sender: (n: number) => { from: Client; conversationId: number; audience: number },
  rate: number,
): Promise<ScenarioResult> {
  const samples: Sample[] = []
  let delivered = 0
  const tag = `${name}-${nodes.length}`
  const nodeOfUser = new Map(clients.map((c) => [c.userId, c.node]))
  const handlers: ((data: Buffer) => void)[] = []
  for (const client of clients) {
    const handler = (data: Buffer) => {
      const text = data.toString('utf8')
      if (!text.startsWith('{"type":"message_')) return
      const at = text.indexOf(`"client_id":"${tag}:`)
      if (at < 0 || text.startsWith('{"type":"message_ack"')) return
      const [, fromUser, sentAt] = text.slice(at + 13, text.indexOf('"', at + 13)).split(':')
      delivered += 1
      samples.push({
        latencyMs: performance.now() - Number(sentAt),
        crossNode: nodeOfUser.get(Number(fromUser)) !== client.node,
      })
    }
    client.socket.on('message', handler)
    handlers.push(handler)
  }
  const before = await scrape(nodes)
  const cpuBefore = nodes.map((n) => cpuSeconds(n.child.pid!))
  const pgBefore = postgresCpuSeconds(postmasterPid)
  const xactBefore = await pgCommits(admin)
  const loadgenBefore = process.cpuUsage()
  const started = performance.now()
  let sent = 0
  let expected = 0
  const total = rate * SECONDS
  await new Promise<void>((resolve) => {
    const tick = setInterval(() => {
      const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * rate))
      for (; sent < due; sent += 1) {
        const { from, conversationId, audience } = sender(sent)
        expected += audience
        const clientId = `${tag}:${from.userId}:${performance.now().toFixed(3)}:${sent}`
        from.socket.send(
          JSON.stringify({
            type: 'send_message',
            conversation_id: conversationId,
            text: `bench ${sent}`,
            client_id: clientId,
          }),
        )
      }
      if (sent >= total) {
        clearInterval(tick)
        resolve()
      }
    }, 5)
  })
  const sendingSeconds = (performance.now() - started) / 1000
  // Settle: until every expected delivery arrived, or nothing more comes for 3 s.
  let last = -1
  let quietSince = performance.now()
  while (delivered < expected && performance.now() - quietSince < 3000) {
    await new Promise((resolve) => setTimeout(resolve, 50))
    if (delivered !== last) {
      last = delivered
      quietSince = performance.now()
    }
  }
  const elapsed = (performance.now() - started) / 1000
  const loadgenUsed = process.cpuUsage(loadgenBefore)
  const after = await scrape(nodes)
  const cpu = nodes.map((n, i) => cpuSeconds(n.child.pid!) - cpuBefore[i]!)
  const pgCpu = postgresCpuSeconds(postmasterPid) - pgBefore
  const xact = (await pgCommits(admin)) - xactBefore
  clients.forEach((client, i) => client.socket.off('message', handlers[i]!))
  const latencies = samples.map((s) => s.latencyMs).sort((a, b) => a - b)
  const cross = samples
    .filter((s) => s.crossNode)
    .map((s) => s.latencyMs)
    .sort((a, b) => a - b)
  const commits = after.commits - before.commits
  const units = after.units - before.units
  const perUnit = (seconds: number) => (units > 0 ? (seconds * 1000) / units : 0)
  return {
    name,
    sent,
    expected,
    delivered,
    missing: expected - delivered,
    deliveriesPerSecond: delivered / elapsed,
    latencyMs: summary(latencies),
    crossNodeLatencyMs: { ...summary(cross), count: cross.length },
    nodeCpuCores: cpu.map((s) => s / elapsed),
    postgresCpuCores: pgCpu / elapsed,
    loadgenCpuCores: (loadgenUsed.user + loadgenUsed.system) / 1e6 / elapsed,
    // CPU per delivery on each node: its sockets' share of the deliveries.
    cpuMicrosPerDelivery: cpu.map((s, i) => {
      const local = clients.filter((c) => c.node === i).length / clients.length
      return (s * 1e6) / Math.max(1, delivered * local)
    }),
    commitsPerSecond: commits / sendingSeconds,
    eventsPerCommit: commits > 0 ? (after.events - before.events) / commits : 0,
    appendMsMean:
      after.appends > before.appends
        ? ((after.appendSeconds - before.appendSeconds) * 1000) / (after.appends - before.appends)
        : 0,
    postgresCommitsPerSecond: xact / sendingSeconds,
    unitWaitMsMean: perUnit(after.unitWaitSeconds - before.unitWaitSeconds),
    unitRunMsMean: perUnit(after.unitRunSeconds - before.unitRunSeconds),
    eventLoopDelayP99Ms: after.loopDelayP99.map((s) => round(s * 1000)),
  }
}

function summary(sorted: number[]) {
  return {
    p50: round(percentile(sorted, 50)),
    p99: round(percentile(sorted, 99)),
    max: round(sorted.at(-1) ?? NaN),
  }
}

function round(value: number): number {
  return Math.round(value * 10) / 10
}

async function pgCommits(admin: pg.Client): Promise<number> {
  const { rows } = await admin.query<{ n: string }>(
    `select xact_commit::text as n from pg_stat_database where datname = current_database()`,
  )
  return Number(rows[0]?.n ?? 0)
}

async function main(): Promise<number> {
  const workdir = fs.mkdtempSync(path.join(os.tmpdir(), 'tidings-bench-pg-'))
  console.log(`cluster bench: private PostgreSQL (fsync ${FSYNC}), ${USERS} users`)
  const serverUrl = execFileSync(path.join(root, 'scripts/postgres/start.sh'), [workdir], {
    encoding: 'utf8',
    env: { ...process.env, PG_FSYNC: FSYNC },
  }).trim()
  const postmasterPid = Number(
    fs.readFileSync(path.join(workdir, 'data/postmaster.pid'), 'utf8').split('\n')[0],
  )
  const results: { nodes: number; scenarios: ScenarioResult[] }[] = []
  let failed = false
  try {
    for (const count of NODE_COUNTS) {
      const database = `bench_${count}`
      const admin = new pg.Client({ connectionString: serverUrl })
      await admin.connect()
      await admin.query(`create database ${database}`)
      await admin.end()
      const url = new URL(serverUrl)
      url.pathname = `/${database}`
      await seed(url.toString())
      const nodes: Node[] = []
      for (let i = 0; i < count; i += 1)
        nodes.push(await startNodeProcess(url.toString(), undefined))
      const stats = new pg.Client({ connectionString: url.toString() })
      await stats.connect()
      try {
        const clients = await connectClients(nodes)
        const byUser = new Map(clients.map((c) => [c.userId, c]))
        console.log(
          `\n== ${count} node${count > 1 ? 's' : ''}: ${clients.length} clients connected`,
        )
        const small = await runScenario(
          'small',
          nodes,
          clients,
          postmasterPid,
          stats,
          (n) => {
            // Every user in turn (7919 is prime to USERS), so the senders are spread over the
            // nodes as their users are. (Picking a conversation first and a member by n % 3 put
            // every sender on node 1 of 3: 119n + n is 0 mod 3.)
            const userId = 1 + ((n * 7919) % USERS)
            const conversationId = Math.floor((userId - 1) / SMALL_SIZE) + 1
            const size = Math.min(SMALL_SIZE, USERS - (conversationId - 1) * SMALL_SIZE)
            return { from: byUser.get(userId)!, conversationId, audience: size }
          },
          SMALL_RATE,
        )
        print(small)
        const big = await runScenario(
          'big',
          nodes,
          clients,
          postmasterPid,
          stats,
          (n) => ({
            from: byUser.get(1 + (n % BIG_SIZE))!,
            conversationId: bigId,
            audience: BIG_SIZE,
          }),
          BIG_RATE,
        )
        print(big)
        results.push({ nodes: count, scenarios: [small, big] })
        if (small.missing !== 0 || big.missing !== 0) failed = true
        for (const client of clients) client.socket.terminate()
      } finally {
        await stats.end()
        for (const node of nodes) node.child.kill('SIGTERM')
        await Promise.all(
          nodes.map((node) => new Promise((resolve) => node.child.once('exit', resolve))),
        )
      }
    }
  } finally {
    execFileSync(path.join(root, 'scripts/postgres/stop.sh'), [workdir, '--clean'])
  }
  const report = {
    date: new Date().toISOString(),
    quick,
    fsync: FSYNC,
    users: USERS,
    machine: {
      cpu: os.cpus()[0]?.model,
      cores: os.cpus().length,
      node: process.version,
      load: os.loadavg(),
      // SCHED_RR when run under `chrt -r` (to measure beside work at SCHED_IDLE), else SCHED_OTHER.
      scheduling: shell(`chrt -p ${process.pid} 2>/dev/null | sed 's/.*: //' | head -n 1`),
    },
    rates: { small: SMALL_RATE, big: BIG_RATE, seconds: SECONDS, bigSize: BIG_SIZE },
    results,
  }
  const dir = path.join(root, 'bench', 'results')
  fs.mkdirSync(dir, { recursive: true })
  const stamp = report.date.replace(/[:.]/g, '-')
  const file = path.join(dir, `cluster-${quick ? 'quick' : 'bench'}-${stamp}.json`)
  fs.writeFileSync(file, JSON.stringify(report, null, 2))
  // cluster-latest.json is what docs/performance.md publishes: a full run of both node counts at
  // the default rates, with no profiler.
  const complete =
    !quick &&
    argValue('--nodes') === undefined &&
    argValue('--small-rate') === undefined &&
    !args.includes('--cpu-prof')
  if (complete) fs.copyFileSync(file, path.join(dir, 'cluster-latest.json'))
  console.log(`\nJSON: ${path.relative(root, file)}`)
  if (failed) {
    console.error('\nFAILED: deliveries were missing')
    return 1
  }
  console.log(quick ? '\ncluster quick check passed: nothing lost' : '')
  return 0
}

function print(result: ScenarioResult): void {
  const cores = (list: number[]) => list.map((c) => c.toFixed(2)).join(' + ')
  console.log(
    `  ${result.name}: ${result.sent} sends, ${result.delivered}/${result.expected} deliveries ` +
      `(${result.missing} missing), ${Math.round(result.deliveriesPerSecond)} deliveries/s; ` +
      `latency p50 ${result.latencyMs.p50} ms, p99 ${result.latencyMs.p99} ms; ` +
      `across nodes p50 ${result.crossNodeLatencyMs.p50} ms, p99 ${result.crossNodeLatencyMs.p99} ms`,
  )
  console.log(
    `    CPU cores: nodes ${cores(result.nodeCpuCores)}, PostgreSQL ${result.postgresCpuCores.toFixed(2)}, ` +
      `load generator ${result.loadgenCpuCores.toFixed(2)}; ` +
      `µs CPU per delivery per node ${result.cpuMicrosPerDelivery.map((v) => v.toFixed(1)).join(', ')}`,
  )
  console.log(
    `    ${result.commitsPerSecond.toFixed(0)} batch commits/s (PostgreSQL ${result.postgresCommitsPerSecond.toFixed(0)} commits/s), ` +
      `${result.eventsPerCommit.toFixed(1)} events per commit, append and commit (the lock held) ${result.appendMsMean.toFixed(2)} ms`,
  )
  console.log(
    `    per unit of work: ${result.unitWaitMsMean.toFixed(2)} ms waiting for its batch's connection, ` +
      `${result.unitRunMsMean.toFixed(2)} ms running; event-loop delay p99 per node ` +
      `${result.eventLoopDelayP99Ms.join(', ')} ms`,
  )
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error)
    process.exit(1)
  },
)
