import fs from 'node:fs'
import { afterAll, expect } from 'vitest'

/**
 * Measurement aid, a setup file only with TIDINGS_TEST_CPU_LOG=<file> (vitest.config.ts): appends
 * one JSON line per test file with the CPU time (user + system) it cost, so the suite's cost can
 * be compared on a loaded machine, where wall time says little.
 *
 * - `processCpuMs`: the worker process so far (in the `isolated` project: its start-up, the
 *   file's imports and its tests; in `shared` also the files it ran before);
 * - `fileCpuMs`: since this file's setup (its imports of modules not yet loaded, and its tests);
 * - `childCpuMs`: the child processes the file started and that have ended (the CLI runs).
 */
const log = process.env.TIDINGS_TEST_CPU_LOG
const startWall = Date.now()
const startCpu = cpuMs()
const startChildren = childrenCpuMs()

function cpuMs(): number {
  const { user, system } = process.cpuUsage()
  return Math.round((user + system) / 1000)
}

/** The CPU of ended children this process waited for (cutime + cstime in /proc, 100 Hz ticks). */
function childrenCpuMs(): number {
  try {
    const fields = fs.readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ')
    return (Number(fields[13]) + Number(fields[14])) * 10
  } catch {
    return 0
  }
}

afterAll(() => {
  if (!log) return
  const processCpuMs = cpuMs()
  const line = {
    file: expect.getState().testPath,
    pid: process.pid,
    wallMs: Date.now() - startWall,
    processCpuMs,
    fileCpuMs: processCpuMs - startCpu,
    childCpuMs: childrenCpuMs() - startChildren,
  }
  fs.appendFileSync(log, `${JSON.stringify(line)}\n`)
})
