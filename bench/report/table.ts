import type { FanoutStep, KindResult } from '../loadgen/results'
import { SCENARIOS, SERVER_LABELS, type Scenario, type ServerKind } from '../shared'

export interface BenchReport {
  date: string
  quick: boolean
  machine: {
    cpu: string
    cores: number
    memoryGiB: number
    node: string
    platform: string
    pinned: boolean
    fdLimit: number
    /** 1, 5 and 15 minute load averages when the run ended (other work on the machine). */
    loadAverage: number[]
    /** Linux CPU pressure (PSI) when the run ended: time runnable tasks waited for a CPU. */
    cpuPressure?: string
  }
  connectionsRequested: number
  results: KindResult[]
  failures: string[]
  notes: string[]
}

export interface Row {
  metric: string
  values: Partial<Record<ServerKind, number>>
  /** Lower is better (latency, memory, time). */
  lowerIsBetter: boolean
  digits: number
  /** `met` answers undefined when the target cannot be judged (a comparison server did not run). */
  target?: { text: string; met: (tidings: number, row: Row) => boolean | undefined }
  /** Set when Tidings did not get a figure because it failed the scenario (target not met). */
  tidingsFailed?: string
}

export function bestStep(steps: FanoutStep[]): FanoutStep | undefined {
  return steps.reduce<FanoutStep | undefined>(
    (best, step) => (!best || step.deliveriesPerSec > best.deliveriesPerSec ? step : best),
    undefined,
  )
}

export function stepAt(steps: FanoutStep[], rate: number): FanoutStep | undefined {
  return steps.find((step) => step.targetRate === rate)
}

/**
 * Server CPU time per delivered frame, in microseconds: what a delivery costs the server whatever
 * rate the step reached, so servers compare even where the generator, not the server, set the
 * rate.
 */
export function cpuMicrosPerDelivery(step: FanoutStep | undefined): number | undefined {
  if (!step || step.deliveriesPerSec <= 0) return undefined
  return (step.serverCpuCores * 1e6) / step.deliveriesPerSec
}

function per(report: BenchReport, pick: (r: KindResult) => number | undefined) {
  const values: Partial<Record<ServerKind, number>> = {}
  for (const result of report.results) {
    const value = pick(result)
    if (value !== undefined && Number.isFinite(value)) values[result.kind] = value
  }
  return values
}

/** The headline rows, each with its target where the brief sets one. */
export function headlineRows(report: BenchReport): Row[] {
  const smallRate = report.quick ? 200 : 1000
  const bigRate = report.quick ? 20 : 50
  const n = report.results[0]?.connect?.connections ?? 0
  return [
    {
      metric: 'connections held',
      values: per(report, (r) => r.connect?.connections),
      lowerIsBetter: false,
      digits: 0,
    },
    {
      metric: 'connect p50 (ms)',
      values: per(report, (r) => r.connect?.p50Ms),
      lowerIsBetter: true,
      digits: 1,
    },
    {
      metric: 'connect p99 (ms)',
      values: per(report, (r) => r.connect?.p99Ms),
      lowerIsBetter: true,
      digits: 1,
    },
    {
      metric: 'server RSS per connection (KB)',
      values: per(report, (r) => (r.connect?.rssPerConnBytes ?? NaN) / 1024),
      lowerIsBetter: true,
      digits: 1,
      target: { text: `<= 8 KB at ${n}`, met: (t) => t <= 8 },
    },
    {
      metric: 'server heap+external per conn (KB)',
      values: per(report, (r) => (r.connect?.heapPerConnBytes ?? NaN) / 1024),
      lowerIsBetter: true,
      digits: 1,
    },
    {
      metric: 'fan-out 10 members: max deliveries/s',
      values: per(report, (r) => bestStep(r.fanoutSmall)?.deliveriesPerSec),
      lowerIsBetter: false,
      digits: 0,
      target: { text: '>= 2x SIO, >= 0.7x raw', met: (t, row) => meetsThroughput(t, row) },
    },
    {
      metric: 'fan-out 10: server CPU µs/delivery, best step',
      values: per(report, (r) => cpuMicrosPerDelivery(bestStep(r.fanoutSmall))),
      lowerIsBetter: true,
      digits: 1,
    },
    {
      metric: `fan-out 10: p50 ms @${smallRate} msg/s`,
      values: per(report, (r) => stepAt(r.fanoutSmall, smallRate)?.latency.p50),
      lowerIsBetter: true,
      digits: 2,
    },
    {
      metric: `fan-out 10: p95 ms @${smallRate} msg/s`,
      values: per(report, (r) => stepAt(r.fanoutSmall, smallRate)?.latency.p95),
      lowerIsBetter: true,
      digits: 2,
    },
    {
      metric: `fan-out 10: p99 ms @${smallRate} msg/s`,
      values: per(report, (r) => stepAt(r.fanoutSmall, smallRate)?.latency.p99),
      lowerIsBetter: true,
      digits: 2,
      target: { text: '< 25 ms (1,000 msg/s)', met: (t) => t < 25 },
    },
    {
      metric: `fan-out 10: max ms @${smallRate} msg/s`,
      values: per(report, (r) => stepAt(r.fanoutSmall, smallRate)?.latency.max),
      lowerIsBetter: true,
      digits: 1,
    },
    {
      metric: `fan-out 10: server CPU % @${smallRate}`,
      values: per(report, (r) => (stepAt(r.fanoutSmall, smallRate)?.serverCpuCores ?? NaN) * 100),
      lowerIsBetter: true,
      digits: 0,
    },
    {
      metric: `fan-out 10: loop delay p99 ms @${smallRate}`,
      values: per(report, (r) => stepAt(r.fanoutSmall, smallRate)?.loopDelayP99Ms),
      lowerIsBetter: true,
      digits: 1,
    },
    {
      metric: 'fan-out 1000 members: max deliveries/s',
      values: per(report, (r) => bestStep(r.fanoutBig)?.deliveriesPerSec),
      lowerIsBetter: false,
      digits: 0,
      target: { text: '>= 2x SIO, >= 0.7x raw', met: (t, row) => meetsThroughput(t, row) },
    },
    {
      metric: 'fan-out 1000: server CPU µs/delivery, best step',
      values: per(report, (r) => cpuMicrosPerDelivery(bestStep(r.fanoutBig))),
      lowerIsBetter: true,
      digits: 1,
    },
    {
      metric: `fan-out 1000: p50 ms @${bigRate} msg/s`,
      values: per(report, (r) => stepAt(r.fanoutBig, bigRate)?.latency.p50),
      lowerIsBetter: true,
      digits: 2,
    },
    {
      metric: `fan-out 1000: p99 ms @${bigRate} msg/s`,
      values: per(report, (r) => stepAt(r.fanoutBig, bigRate)?.latency.p99),
      lowerIsBetter: true,
      digits: 2,
    },
    {
      metric: 'resume 1,000 missed events (ms)',
      values: per(report, (r) => r.resume?.totalMs),
      lowerIsBetter: true,
      digits: 1,
      target: { text: '< 200 ms', met: (t) => t < 200 },
    },
    {
      metric: 'storm: all reconnected (s)',
      values: per(report, (r) => (r.storm?.allBackMs ?? NaN) / 1000),
      lowerIsBetter: true,
      digits: 2,
    },
    {
      metric: 'storm: all back and caught up (s)',
      values: per(report, (r) =>
        !r.storm || r.storm.lossExpected || r.storm.notCaughtUp > 0 || r.storm.caughtUpMs === null
          ? undefined
          : r.storm.caughtUpMs / 1000,
      ),
      tidingsFailed: stormFailure(report),
      lowerIsBetter: true,
      digits: 2,
      target: { text: `<= 15 s (${n} clients)`, met: (t) => t <= 15 },
    },
    {
      metric: 'storm: deliveries missing',
      values: per(report, (r) => r.storm?.missing),
      lowerIsBetter: true,
      digits: 0,
    },
  ]
}

function stormFailure(report: BenchReport): string | undefined {
  const storm = report.results.find((r) => r.kind === 'tidings')?.storm
  if (!storm) return undefined
  if (storm.notCaughtUp > 0) return `${storm.notCaughtUp} clients not caught up in time`
  if (storm.missing > 0) return `${storm.missing} deliveries missing`
  return undefined
}

/** The throughput target compares with both baselines; without either it cannot be judged. */
function meetsThroughput(tidings: number, row: Row): boolean | undefined {
  const sio = row.values.socketio
  const raw = row.values.rawws
  if (sio === undefined || raw === undefined) return undefined
  return tidings >= 2 * sio && tidings >= 0.7 * raw
}

function verdictText(met: boolean | undefined): string {
  if (met === undefined) return 'n/a (needs all three servers)'
  return met ? 'met' : 'NOT met'
}

function fmt(value: number | undefined, digits: number): string {
  if (value === undefined || !Number.isFinite(value)) return 'n/a'
  return value.toLocaleString('en-US', {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  })
}

function ratio(a: number | undefined, b: number | undefined): string {
  if (a === undefined || b === undefined || !Number.isFinite(a) || !Number.isFinite(b) || b === 0)
    return 'n/a'
  return `${(a / b).toFixed(2)}x`
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`
  return [
    line(header),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...rows.map(line),
  ].join('\n')
}

/** The headline table as Markdown (also what the terminal shows). */
export function headlineTable(report: BenchReport): string {
  const rows = headlineRows(report).map((row) => {
    const t = row.values.tidings
    const verdict = row.target
      ? row.tidingsFailed
        ? `NOT met (${row.tidingsFailed})`
        : t === undefined
          ? 'n/a'
          : verdictText(row.target.met(t, row))
      : ''
    return [
      row.metric,
      fmt(row.values.tidings, row.digits),
      fmt(row.values.socketio, row.digits),
      fmt(row.values.rawws, row.digits),
      ratio(t, row.values.socketio),
      ratio(t, row.values.rawws),
      row.target ? `${row.target.text}: ${verdict}` : '',
    ]
  })
  return table(
    ['metric', 'Tidings', 'Socket.IO', 'raw ws', 'Tidings/SIO', 'Tidings/raw', 'target'],
    rows,
  )
}

/** Every fan-out step of every server. */
export function stepsTable(report: BenchReport): string {
  const rows: string[][] = []
  for (const result of report.results) {
    for (const [room, steps] of [
      ['10', result.fanoutSmall],
      [String(result.bigSize), result.fanoutBig],
    ] as const) {
      for (const s of steps) {
        rows.push([
          SERVER_LABELS[result.kind],
          room,
          String(s.targetRate),
          fmt(s.sentRate, 0),
          fmt(s.deliveriesPerSec, 0),
          fmt(s.latency.p50, 2),
          fmt(s.latency.p95, 2),
          fmt(s.latency.p99, 2),
          fmt(s.latency.max, 1),
          fmt(s.serverCpuCores * 100, 0),
          fmt(cpuMicrosPerDelivery(s), 1),
          fmt(s.loopDelayP99Ms, 1),
          fmt(s.loopDelayMaxMs, 0),
          fmt(s.loadgenCores * 100, 0),
          s.loadgenLoopDelayMaxMs === undefined ? 'n/a' : fmt(s.loadgenLoopDelayMaxMs, 0),
          `${s.missing}/${s.doubled}/${s.skipped}`,
        ])
      }
    }
  }
  return table(
    [
      'server',
      'room',
      'target msg/s',
      'sent msg/s',
      'deliveries/s',
      'p50',
      'p95',
      'p99',
      'max',
      'srv CPU%',
      'srv µs/dlv',
      'ELD p99',
      'ELD max',
      'gen CPU%',
      'gen ELD max',
      'miss/dup/skip',
    ],
    rows,
  )
}

export function printTable(report: BenchReport): void {
  const m = report.machine
  console.log(
    `\nTidings benchmark ${report.quick ? '(quick) ' : ''}${report.date}\n${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, Node ${m.node}, ${m.platform}, pinned: ${m.pinned}, load average ${m.loadAverage.join(' ')}, CPU pressure ${m.cpuPressure ?? 'n/a'}\n`,
  )
  console.log(headlineTable(report))
  console.log('\nFan-out steps (latency in ms, send to receive):\n')
  console.log(stepsTable(report))
  for (const result of report.results) {
    const r = result.resume
    if (r) {
      console.log(
        `${SERVER_LABELS[result.kind]} resume: ready ${r.readyMs.toFixed(1)} ms, all ${r.events} in ${r.totalMs.toFixed(1)} ms, missing ${r.missing}, doubled ${r.doubled}, recovered ${r.recovered}`,
      )
    }
    const s = result.storm
    if (s)
      console.log(
        `${SERVER_LABELS[result.kind]} storm: ${s.clients} clients, ${s.messages} msgs while away, back ${s.allBackMs === null ? 'n/a (time bound)' : `${(s.allBackMs / 1000).toFixed(2)} s`}, caught up ${s.caughtUpMs === null ? `n/a (${s.notCaughtUp} not caught up)` : `${(s.caughtUpMs / 1000).toFixed(2)} s`}, missing ${s.missing}${s.lossExpected ? ' (no replay: loss expected)' : ''}, doubled ${s.doubled}, reconnect failures ${s.reconnectFailures}, resyncs ${s.resyncs}, loop delay max ${s.loopDelayMaxMs.toFixed(0)} ms`,
      )
    for (const note of result.notes) console.log(`${SERVER_LABELS[result.kind]} note: ${note}`)
    for (const cut of result.incomplete) {
      console.log(`${SERVER_LABELS[result.kind]} NOT COMPLETED: ${cut}`)
    }
  }
  for (const note of report.notes) console.log(`note: ${note}`)
  for (const note of generatorBoundNotes(report)) console.log(`note: ${note}`)
}

/** At or above this share of its core, the load generator rather than the server set the pace. */
const GENERATOR_BOUND = 0.9

/**
 * The best steps that the load generator, not the server, limited: the generator ran at 90 % of
 * its core or more while the server had room left. Such a figure is a lower bound for that server,
 * and a ratio built on it is not a measurement of the servers.
 */
export function generatorBoundNotes(report: BenchReport): string[] {
  const notes: string[] = []
  for (const result of report.results) {
    for (const [room, steps] of [
      ['10', result.fanoutSmall],
      [String(result.bigSize), result.fanoutBig],
    ] as const) {
      const best = bestStep(steps)
      if (!best || best.loadgenCores < GENERATOR_BOUND || best.serverCpuCores >= GENERATOR_BOUND) {
        continue
      }
      notes.push(
        `${SERVER_LABELS[result.kind]}, ${room}-member fan-out: the best step (${best.targetRate} msg/s) had the load generator at ${Math.round(best.loadgenCores * 100)} % of its core and the server at ${Math.round(best.serverCpuCores * 100)} %: ${Math.round(best.deliveriesPerSec).toLocaleString('en-US')} deliveries/s is a lower bound set by the generator`,
      )
    }
  }
  return notes
}

/**
 * What a run requires of the servers it judges: every scenario asked for ran and nothing was lost
 * or doubled. `measured` servers (the baselines: Socket.IO, raw ws) are left out: they are
 * compared with, not tested, so a baseline that falls short (a storm that strands clients, a
 * scenario cut by its time budget on a busy machine) is the caller's to report, never a failure.
 * Call it again with the baselines as `kinds` (and no `measured`) for that report.
 */
export function checkQuick(
  report: BenchReport,
  kinds: readonly ServerKind[],
  scenarios: readonly Scenario[] = SCENARIOS,
  /** Servers measured and reported, not judged (the baselines). */
  measured: readonly ServerKind[] = [],
): string[] {
  const problems: string[] = []
  for (const kind of kinds.filter((k) => !measured.includes(k))) {
    const r = report.results.find((x) => x.kind === kind)
    if (!r) {
      problems.push(`${kind}: no result`)
      continue
    }
    if (!r.connect) problems.push(`${kind}: connect did not complete`)
    else if (r.connect.failures > 0 || r.connect.connections < r.users) {
      problems.push(`${kind}: ${r.connect.failures} connections failed`)
    }
    for (const cut of r.incomplete) problems.push(`${kind}: not completed: ${cut}`)
    for (const step of [...r.fanoutSmall, ...r.fanoutBig]) {
      if (step.missing > 0 || step.doubled > 0 || step.failed > 0) {
        problems.push(
          `${kind}: fan-out step ${step.targetRate} msg/s missing ${step.missing}, doubled ${step.doubled}, failed sends ${step.failed}`,
        )
      }
    }
    if (kind !== 'rawws' && scenarios.includes('resume')) {
      if (!r.resume) problems.push(`${kind}: resume did not run`)
      else if (r.resume.missing > 0 || r.resume.doubled > 0 || r.resume.failedSends > 0) {
        problems.push(`${kind}: resume missing ${r.resume.missing}, doubled ${r.resume.doubled}`)
      }
    }
    if (!scenarios.includes('storm')) continue
    const s = r.storm
    if (!s) {
      problems.push(`${kind}: storm did not run`)
      continue
    }
    if (s.reconnectFailures > 0)
      problems.push(`${kind}: ${s.reconnectFailures} storm reconnects failed`)
    if (!s.lossExpected && (s.missing > 0 || s.doubled > 0 || s.notCaughtUp > 0)) {
      problems.push(
        `${kind}: storm missing ${s.missing}, doubled ${s.doubled}, not caught up ${s.notCaughtUp}`,
      )
    }
  }
  return problems
}
