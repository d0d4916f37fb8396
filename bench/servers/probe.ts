import { monitorEventLoopDelay } from 'node:perf_hooks'
import type { ServerMessage, ServerRequest, ServerStats } from '../shared'

/**
 * Answers the bench runner's stats requests over IPC: memory after a forced GC (the process runs
 * with --expose-gc), CPU and event-loop delay since the previous reset.
 */
export function installProbe(onStop: () => Promise<void>): void {
  const loop = monitorEventLoopDelay({ resolution: 5 })
  loop.enable()
  let cpuBase = process.cpuUsage()
  let wallBase = performance.now()
  const send = (message: ServerMessage) => process.send?.(message)

  process.on('message', (raw: ServerRequest | { type: 'stop' }) => {
    if (raw.type === 'stop') {
      void onStop().finally(() => process.exit(0))
      return
    }
    if (raw.type !== 'stats') return
    if (raw.gc) {
      const gc = (globalThis as { gc?: () => void }).gc
      if (gc) {
        gc()
        gc()
      }
    }
    const memory = process.memoryUsage()
    const cpu = process.cpuUsage(cpuBase)
    const windowMs = performance.now() - wallBase
    const stats: ServerStats = {
      rssBytes: memory.rss,
      heapUsedBytes: memory.heapUsed,
      externalBytes: memory.external + memory.arrayBuffers,
      cpuCores: windowMs > 0 ? (cpu.user + cpu.system) / 1000 / windowMs : 0,
      loopDelayP50Ms: loop.percentile(50) / 1e6,
      loopDelayP99Ms: loop.percentile(99) / 1e6,
      loopDelayMaxMs: loop.max / 1e6,
      windowMs,
    }
    if (raw.reset) {
      loop.reset()
      cpuBase = process.cpuUsage()
      wallBase = performance.now()
    }
    send({ type: 'stats', id: raw.id, stats })
  })
  process.on('disconnect', () => {
    void onStop().finally(() => process.exit(0))
  })
}

export function announceReady(port: number): void {
  process.send?.({ type: 'ready', port } satisfies ServerMessage)
}
