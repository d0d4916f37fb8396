import type { LeasedJob } from './leases'

/**
 * A one-owner job that runs `task` every `intervalMs` while its lease is held (not at once: the
 * server runs it once itself at start). Stopping waits for a run in progress, so that the
 * database is not closed under it. A run that fails is reported and the next one goes ahead.
 */
export function periodicJob(
  intervalMs: number,
  task: () => Promise<unknown>,
  onError: (error: unknown) => void,
): LeasedJob {
  let timer: NodeJS.Timeout | undefined
  let running: Promise<void> | undefined
  return {
    start() {
      timer ??= setInterval(() => {
        running ??= task()
          .then(
            () => undefined,
            (error: unknown) => onError(error),
          )
          .finally(() => (running = undefined))
      }, intervalMs)
      timer.unref()
    },
    async stop() {
      clearInterval(timer)
      timer = undefined
      await running
    },
  }
}
