import '../src/shared/nodeVersionGuard' // first: Node 24 or a clear refusal, before native code loads
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { SERVER_NODE_FLAGS } from '../server/runtimeFlags'
import type { KindResult } from './loadgen/results'
import { renderChart } from './report/chart'
import { checkQuick, printTable, type BenchReport } from './report/table'
import {
  CONFIG_ENV,
  SCENARIOS,
  SERVER_KINDS,
  SERVER_LABELS,
  type BenchConfig,
  type LoadgenMessage,
  type Scenario,
  type ServerKind,
  type ServerMessage,
} from './shared'

/**
 * `npm run bench [-- --quick] [--connections N] [--only tidings,socketio]
 * [--scenarios small,big,resume,storm] [--rest-send] [--cpu-prof]`: starts
 * each server in its own child process (core 1), then the load generator in another (core 0), runs
 * every scenario, and writes bench/results/bench-<stamp>.json, plus bench-latest.{json,svg,png}
 * when the run compared every server in every scenario (otherwise the chart is bench-<stamp>.*).
 */
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const resultsDir = path.join(root, 'bench', 'results')
const args = process.argv.slice(2)
const quick = args.includes('--quick')
const cpuProf = args.includes('--cpu-prof')
const argValue = (name: string) => {
  const index = args.indexOf(name)
  return index >= 0 ? args[index + 1] : undefined
}
const requested = Number(argValue('--connections') ?? (quick ? 400 : 10_000))
const only = (argValue('--only')?.split(',') ?? SERVER_KINDS) as ServerKind[]
const scenarios = argValue('--scenarios')?.split(',') as Scenario[] | undefined
if (scenarios?.some((s) => !SCENARIOS.includes(s))) {
  throw new Error(`--scenarios takes a list of: ${SCENARIOS.join(', ')}`)
}
const TOTAL_DEADLINE_MS = quick ? 58_000 : 9.5 * 60_000

const shell = (command: string) =>
  spawnSync('sh', ['-c', command], { encoding: 'utf8' }).stdout.trim()
const hasTaskset = shell('command -v taskset') !== ''
// Raise the soft descriptor limit as far as the hard limit allows; each child inherits it.
const RAISE = 'ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true'
const fdLimit = Number(shell(`${RAISE}; ulimit -n`)) || 1024
const connections = Math.max(10, Math.min(requested, fdLimit - 2000))
const notes: string[] = []
if (connections < requested) {
  notes.push(
    `open-file limit is ${fdLimit} (hard limit, cannot be raised here): connections capped at ${connections}`,
  )
}
if (!hasTaskset) notes.push('taskset not found: processes are not pinned to cores')

function child(script: string, core: number, config: BenchConfig, extra: string[]): ChildProcess {
  const pin = hasTaskset ? `taskset -c ${core} ` : ''
  const flags = ['--expose-gc', '--import', 'tsx', ...extra]
  const command = `${RAISE}; exec ${pin}"${process.execPath}" ${flags.join(' ')} ${script}`
  return spawn('sh', ['-c', command], {
    cwd: root,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, [CONFIG_ENV]: JSON.stringify(config) },
  })
}

function waitFor<T>(
  proc: ChildProcess,
  pick: (message: unknown) => T | undefined,
  ms: number,
  what: string,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => done(new Error(`${what}: timed out after ${ms} ms`)), ms)
    const onMessage = (message: unknown) => {
      const value = pick(message)
      if (value !== undefined) done(undefined, value)
    }
    const onExit = (code: number | null) => done(new Error(`${what}: process exited (${code})`))
    const done = (error?: Error, value?: T) => {
      clearTimeout(timer)
      proc.off('message', onMessage)
      proc.off('exit', onExit)
      if (error) reject(error)
      else resolve(value as T)
    }
    proc.on('message', onMessage)
    proc.on('exit', onExit)
  })
}

function stop(proc: ChildProcess, ms: number): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL')
      resolve()
    }, ms)
    proc.once('exit', () => {
      clearTimeout(timer)
      resolve()
    })
    if (proc.connected) proc.send({ type: 'stop' })
    else proc.kill('SIGTERM')
  })
}

const startedAt = Date.now()

/** This server's share of what is left of the total deadline (Tidings, first, gets the most). */
function budgetFor(kind: ServerKind): number {
  const left = only.slice(only.indexOf(kind))
  const remaining =
    TOTAL_DEADLINE_MS - (Date.now() - startedAt) - (quick ? 1_000 : 25_000) * left.length
  const weight = (k: ServerKind) => (k === 'tidings' ? 1.4 : 1)
  const share = weight(kind) / left.reduce((sum, k) => sum + weight(k), 0)
  return Math.max(quick ? 8_000 : 30_000, Math.round(remaining * share))
}

async function runKind(kind: ServerKind, seed: string): Promise<KindResult> {
  const budgetMs = budgetFor(kind)
  const config: BenchConfig = {
    budgetMs,
    kind,
    users: connections,
    // --quick keeps the large room small so the whole run fits in a minute.
    bigSize: quick ? 200 : 1000,
    smallSize: 10,
    seed,
    quick,
    ...(scenarios ? { scenarios } : {}),
    ...(args.includes('--rest-send') ? { restSend: true } : {}),
  }
  // Tidings runs with the flags it ships with (server/runtimeFlags.ts); the baselines with Node's
  // defaults, as their authors would run them.
  const profileFlags = [
    ...(kind === 'tidings' ? SERVER_NODE_FLAGS : []),
    ...(cpuProf && kind === 'tidings'
      ? ['--cpu-prof', `--cpu-prof-dir=${path.join(resultsDir, 'profiles')}`]
      : []),
  ]
  console.log(
    `\n== ${SERVER_LABELS[kind]}: ${connections} users, ${Math.round(budgetMs / 1000)} s budget`,
  )
  const server = child(`bench/servers/${serverFile(kind)}`, 1, config, profileFlags)
  let loadgen: ChildProcess | undefined
  try {
    const port = await waitFor(
      server,
      (m) => ((m as ServerMessage).type === 'ready' ? (m as { port: number }).port : undefined),
      60_000,
      `${kind} server start`,
    )
    // Only the load generator gets a larger heap (it holds every client and latency sample); the
    // servers run with Node's defaults, as shipped. A larger old space would also grow V8's young
    // generation, whose pages stay resident and would inflate every server's RSS per connection.
    loadgen = child('bench/loadgen/loadgen.ts', 0, { ...config, port }, [
      '--max-old-space-size=8192',
    ])
    const lg = loadgen
    lg.on('message', (raw: LoadgenMessage) => {
      if (raw.type === 'log') console.log(raw.text)
      else if (raw.type === 'stats') {
        void waitFor(
          server,
          (m) => {
            const message = m as ServerMessage
            return message.type === 'stats' && message.id === raw.id ? message : undefined
          },
          30_000,
          'server stats',
        ).then(
          (message) => lg.connected && lg.send(message),
          () => undefined,
        )
        server.send(raw)
      }
    })
    return await waitFor(
      lg,
      (m) =>
        (m as LoadgenMessage).type === 'result'
          ? ((m as { result: KindResult }).result as KindResult)
          : undefined,
      budgetMs + 60_000,
      `${kind} load generator`,
    )
  } finally {
    if (loadgen) await stop(loadgen, 5000)
    await stop(server, 15_000)
  }
}

/** Linux PSI: share of the last 60/300 s in which some runnable task waited for a CPU. */
function cpuPressure(): string {
  try {
    const line = fs.readFileSync('/proc/pressure/cpu', 'utf8').split('\n')[0] ?? ''
    const avg60 = /avg60=([\d.]+)/.exec(line)?.[1]
    const avg300 = /avg300=([\d.]+)/.exec(line)?.[1]
    return `some avg60=${avg60}% avg300=${avg300}%`
  } catch {
    return 'unavailable'
  }
}

function serverFile(kind: ServerKind): string {
  if (kind === 'tidings') return 'tidingsServer.ts'
  if (kind === 'socketio') return 'socketioServer.ts'
  return 'rawWsServer.ts'
}

async function main(): Promise<number> {
  fs.mkdirSync(resultsDir, { recursive: true })
  const seed = Math.random().toString(36).slice(2, 10)
  const results: KindResult[] = []
  const failures: string[] = []
  for (const kind of only) {
    try {
      results.push(await runKind(kind, seed))
    } catch (error) {
      failures.push(`${kind}: ${error instanceof Error ? error.message : String(error)}`)
      console.error(`${kind} failed: ${String(error)}`)
    }
  }
  const report: BenchReport = {
    date: new Date().toISOString(),
    quick,
    machine: {
      cpu: os.cpus()[0]?.model ?? 'unknown',
      cores: os.cpus().length,
      memoryGiB: Math.round(os.totalmem() / 2 ** 30),
      node: process.version,
      platform: `${os.type()} ${os.release()}`,
      pinned: hasTaskset,
      fdLimit,
      loadAverage: os.loadavg().map((x) => Number(x.toFixed(2))),
      cpuPressure: cpuPressure(),
    },
    connectionsRequested: requested,
    results,
    failures,
    notes,
  }
  printTable(report)
  const stamp = report.date.replace(/[:.]/g, '-')
  const base = quick ? 'quick' : 'bench'
  const jsonPath = path.join(resultsDir, `${base}-${stamp}.json`)
  fs.writeFileSync(jsonPath, JSON.stringify(report, null, 2))
  // Only a complete comparison replaces the published bench-latest.* (the figures in docs/performance.md); a
  // quick, partial or profiled run keeps to its timestamped files, which git ignores.
  const complete =
    !quick && !cpuProf && scenarios === undefined && SERVER_KINDS.every((k) => only.includes(k))
  const chartBase = complete ? `${base}-latest` : `${base}-${stamp}`
  if (complete) fs.copyFileSync(jsonPath, path.join(resultsDir, `${base}-latest.json`))
  console.log(`\nJSON: ${path.relative(root, jsonPath)}`)
  if (!quick) {
    try {
      const png = await renderChart(report, path.join(resultsDir, chartBase))
      console.log(`Chart: ${path.relative(root, png)}`)
    } catch (error) {
      console.error(`chart not rendered: ${String(error)}`)
    }
  }
  // --quick checks that the bench works for every server: each one connects, every scenario runs,
  // and fan-out and resume lose nothing on any of them. A baseline's storm is measured, not
  // judged, in every run: Socket.IO's recovery strands clients when a storm outruns its server (in
  // most full runs at 10,000 clients, and in a quick run on a machine busy with other work). In a
  // full run only Tidings is judged; Tidings falling short fails any run.
  const baselines = only.filter((kind) => kind !== 'tidings')
  const judged = quick ? only : only.filter((kind) => kind === 'tidings')
  const ran = scenarios ?? SCENARIOS
  // A baseline that could not finish at all (its server crashed, or its load generator outlived the
  // budget on a busy machine) is reported with the shortfalls: the bench measures baselines, it
  // does not vouch for them. Tidings failing to finish fails the run.
  const isTidingsFailure = (failure: string): boolean => failure.startsWith('tidings:')
  const problems = [
    ...failures.filter(isTidingsFailure),
    ...checkQuick(report, judged, ran, baselines),
  ]
  const shortfalls = [
    ...failures.filter((failure) => !isTidingsFailure(failure)),
    ...checkQuick(report, baselines, ran).filter((p) => !problems.includes(p)),
  ]
  if (shortfalls.length > 0) {
    console.log(
      `\nBaselines fell short (measured, not a failure of the run):\n- ${shortfalls.join('\n- ')}`,
    )
  }
  if (problems.length > 0) {
    console.error(`\nFAILED:\n- ${problems.join('\n- ')}`)
    return 1
  }
  const exceptions = shortfalls.length > 0 ? " but in the baselines' storms above" : ''
  console.log(
    quick ? `\nquick check passed: every scenario completed, nothing lost${exceptions}` : '',
  )
  return 0
}

const watchdog = setTimeout(() => {
  console.error(`bench: total deadline of ${TOTAL_DEADLINE_MS / 1000} s reached`)
  process.exit(4)
}, TOTAL_DEADLINE_MS)
watchdog.unref()
main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error)
    process.exit(1)
  },
)
