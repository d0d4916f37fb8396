import type { LeasedJob } from './leases'

/** A periodic job that can also be asked to run at once (when what it works on changed). */
export interface PeriodicJob extends LeasedJob {
  /** Runs the task now if this node holds the lease and it is not running already. */
  runNow(): void
}

/**
 * A one-owner job that runs `task` every `intervalMs` while its lease is held (not at once: the
 * server runs it once itself at start). Stopping waits for a run in progress, so that the
 * database is not closed under it. A run that fails is reported and the next one goes ahead.
 */
export function periodicJob(
  intervalMs: number,
  task: () => Promise<unknown>,
  onError: (error: unknown) => void,
): PeriodicJob {
  let timer: NodeJS.Timeout | undefined
  let running: Promise<void> | undefined
  const run = () => {
    running ??= task()
      .then(
        () => undefined,
        (error: unknown) => onError(error),
      )
      .finally(() => (running = undefined))
  }
  return {
    start() {
      timer ??= setInterval(run, intervalMs)
      timer.unref()
    },
    runNow() {
      if (timer) run()
    },
    async stop() {
      clearInterval(timer)
      timer = undefined
      await running
    },
  }
}
