import { createRequire } from 'node:module'
import { Worker } from 'node:worker_threads'

/**
 * Moves WAL checkpoints off the event loop. A checkpoint copies committed pages from the WAL into
 * the database file and fsyncs both; run by SQLite's auto-checkpoint inside the committing call, it
 * stalls whichever request happened to cross the threshold for one or two fsyncs (tens of ms on a
 * busy disk). Here a worker thread with its own connection runs PASSIVE checkpoints on an interval:
 * they never block the writer, and durability is unchanged (commits still go to the WAL exactly as
 * before). The main connection keeps a much larger auto-checkpoint as a bound on the WAL's size,
 * and goes back to SQLite's default if the worker cannot run.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads')
const Driver = require(workerData.driver)
const db = new Driver(workerData.file, { fileMustExist: true })
db.pragma('busy_timeout = 100')
const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)')
  } catch (error) {
    // Busy or locked: the next round retries.
  }
}, workerData.intervalMs)
parentPort.on('message', (message) => {
  if (message !== 'stop') return
  clearInterval(timer)
  db.close()
  parentPort.close()
})
`

export const DEFAULT_AUTOCHECKPOINT_PAGES = 1000
/** While the worker runs, the writer checkpoints itself only past this many WAL pages (40 MB). */
export const BOUNDED_AUTOCHECKPOINT_PAGES = 10_000

export interface Checkpointer {
  /** Asks the worker to stop; resolves once it has exited (no checkpoint can run after that). */
  stop(): Promise<void>
}

/**
 * Starts the background checkpointer for `file`; `setAutoCheckpoint` adjusts the main connection.
 * Returns undefined when a worker cannot be started (the default in-line checkpoints then apply).
 */
export function startCheckpointer(
  file: string,
  setAutoCheckpoint: (pages: number) => void,
  intervalMs = 200,
): Checkpointer | undefined {
  let worker: Worker
  try {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3')
    worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { file, driver, intervalMs } })
  } catch {
    return undefined
  }
  let stopped = false
  worker.unref()
  setAutoCheckpoint(BOUNDED_AUTOCHECKPOINT_PAGES)
  const fallBack = () => {
    if (!stopped) setAutoCheckpoint(DEFAULT_AUTOCHECKPOINT_PAGES)
  }
  worker.on('error', fallBack)
  worker.on('exit', fallBack)
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()))
  return {
    stop() {
      if (!stopped) {
        stopped = true
        // Unreferenced, the worker would not keep the process alive until its exit: a caller that
        // awaits this with nothing else pending would see the process end first, unresolved.
        worker.ref()
        worker.postMessage('stop')
      }
      return exited
    },
  }
}
