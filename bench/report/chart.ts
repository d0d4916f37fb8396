import fs from 'node:fs'
import { chromium } from 'playwright-core'
import type { KindResult } from '../loadgen/results'
import { SERVER_LABELS, type ServerKind } from '../shared'
import { bestStep, type BenchReport } from './table'

const COLORS: Record<ServerKind, string> = {
  tidings: '#2563eb',
  socketio: '#f97316',
  rawws: '#6b7280',
}
const W = 1200
const H = 560

function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;')
}

/** Latency percentiles per fan-out step (log scale), one line per server and percentile. */
function latencyPanel(results: KindResult[], x0: number, y0: number, w: number, h: number) {
  const rates = [...new Set(results.flatMap((r) => r.fanoutSmall.map((s) => s.targetRate)))].sort(
    (a, b) => a - b,
  )
  const all = results.flatMap((r) => r.fanoutSmall.flatMap((s) => [s.latency.p50, s.latency.p99]))
  const lo = 0.1
  const hi = Math.max(10, ...all.filter(Number.isFinite)) * 1.5
  const ly = (v: number) =>
    y0 +
    h -
    ((Math.log10(Math.max(lo, v)) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) * h
  const lx = (i: number) => x0 + (rates.length <= 1 ? w / 2 : (i / (rates.length - 1)) * w)
  const parts: string[] = [
    `<text x="${x0}" y="${y0 - 18}" font-size="16" font-weight="bold">Send-to-receive latency, 10-member conversations (ms, log scale)</text>`,
    `<rect x="${x0}" y="${y0}" width="${w}" height="${h}" fill="none" stroke="#ccc"/>`,
  ]
  for (let v = lo; v <= hi; v *= 10) {
    parts.push(
      `<line x1="${x0}" x2="${x0 + w}" y1="${ly(v)}" y2="${ly(v)}" stroke="#eee"/><text x="${x0 - 6}" y="${ly(v) + 4}" font-size="11" text-anchor="end">${v >= 1 ? v.toFixed(0) : v.toFixed(1)}</text>`,
    )
  }
  rates.forEach((rate, i) =>
    parts.push(
      `<text x="${lx(i)}" y="${y0 + h + 16}" font-size="11" text-anchor="middle">${rate} msg/s</text>`,
    ),
  )
  const dash: Record<string, string> = { p50: '', p95: '6 3', p99: '2 3' }
  for (const result of results) {
    for (const key of ['p50', 'p95', 'p99'] as const) {
      const points = result.fanoutSmall
        .map((s) => [rates.indexOf(s.targetRate), s.latency[key]] as const)
        .filter(([, v]) => Number.isFinite(v))
        .map(([i, v]) => `${lx(i).toFixed(1)},${ly(v).toFixed(1)}`)
      parts.push(
        `<polyline points="${points.join(' ')}" fill="none" stroke="${COLORS[result.kind]}" stroke-width="2" stroke-dasharray="${dash[key]}"/>`,
      )
    }
  }
  parts.push(
    `<text x="${x0 + 8}" y="${y0 + 16}" font-size="11">solid p50, dashed p95, dotted p99</text>`,
  )
  return parts.join('\n')
}

/** Best sustained deliveries/s per server in both room sizes. */
function throughputPanel(results: KindResult[], x0: number, y0: number, w: number, h: number) {
  const groups = [
    {
      label: '10 members',
      pick: (r: KindResult) => bestStep(r.fanoutSmall)?.deliveriesPerSec ?? 0,
    },
    {
      label: `${results[0]?.bigSize ?? 1000} members`,
      pick: (r: KindResult) => bestStep(r.fanoutBig)?.deliveriesPerSec ?? 0,
    },
  ]
  const max = Math.max(1, ...results.flatMap((r) => groups.map((g) => g.pick(r)))) * 1.15
  const parts: string[] = [
    `<text x="${x0}" y="${y0 - 18}" font-size="16" font-weight="bold">Fan-out throughput (best step, deliveries/s)</text>`,
    `<line x1="${x0}" x2="${x0 + w}" y1="${y0 + h}" y2="${y0 + h}" stroke="#999"/>`,
  ]
  const gw = w / groups.length
  const bw = (gw * 0.7) / Math.max(1, results.length)
  groups.forEach((group, gi) => {
    parts.push(
      `<text x="${x0 + gi * gw + gw / 2}" y="${y0 + h + 18}" font-size="12" text-anchor="middle">${group.label}</text>`,
    )
    results.forEach((result, ri) => {
      const v = group.pick(result)
      const bh = (v / max) * h
      const x = x0 + gi * gw + gw * 0.15 + ri * bw
      parts.push(
        `<rect x="${x}" y="${y0 + h - bh}" width="${bw - 4}" height="${bh}" fill="${COLORS[result.kind]}"/><text x="${x + (bw - 4) / 2}" y="${y0 + h - bh - 4}" font-size="11" text-anchor="middle">${Math.round(v).toLocaleString('en-US')}</text>`,
      )
    })
  })
  return parts.join('\n')
}

export function chartSvg(report: BenchReport): string {
  const legend = report.results
    .map(
      (r, i) =>
        `<rect x="${40 + i * 170}" y="${H - 26}" width="14" height="14" fill="${COLORS[r.kind]}"/><text x="${60 + i * 170}" y="${H - 14}" font-size="13">${esc(SERVER_LABELS[r.kind])}</text>`,
    )
    .join('\n')
  const m = report.machine
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif">
<rect width="${W}" height="${H}" fill="white"/>
${latencyPanel(report.results, 70, 60, 540, 400)}
${throughputPanel(report.results, 700, 60, 460, 400)}
${legend}
<text x="${W - 20}" y="${H - 14}" font-size="11" text-anchor="end">${esc(`${report.results[0]?.connect?.connections ?? 0} idle connections, ${m.cpu}, Node ${m.node}, ${report.date}`)}</text>
</svg>`
}

/** Writes `<base>.svg` and renders it to `<base>.png` in headless Chromium. */
export async function renderChart(report: BenchReport, base: string): Promise<string> {
  const svg = chartSvg(report)
  fs.writeFileSync(`${base}.svg`, svg)
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  })
  try {
    const page = await browser.newPage({ viewport: { width: W, height: H } })
    await page.setContent(`<html><body style="margin:0">${svg}</body></html>`)
    await page.screenshot({ path: `${base}.png`, clip: { x: 0, y: 0, width: W, height: H } })
  } finally {
    await browser.close()
  }
  return `${base}.png`
}
