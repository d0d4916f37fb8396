import type { CoreOutputs, NativeNotificationRequest } from '../../../../src/main/core/coreHost'
import type { PushChannel, PushMap } from '../../../../src/shared/ipc'

type Push = { [C in PushChannel]: { channel: C; payload: PushMap[C] } }[PushChannel]

/**
 * CoreOutputs that records everything and lets a test wait for a condition: waiters are checked
 * after every output, so tests react to what happened instead of sleeping.
 */
export class RecordingOutputs implements CoreOutputs {
  readonly pushes: Push[] = []
  readonly notifications: NativeNotificationRequest[] = []
  readonly unreadCounts: number[] = []
  private waiters: { check: () => boolean; resolve: () => void }[] = []

  push<C extends PushChannel>(channel: C, payload: PushMap[C]): void {
    this.pushes.push({ channel, payload } as Push)
    this.wake()
  }

  notify(request: NativeNotificationRequest): void {
    this.notifications.push(request)
    this.wake()
  }

  unreadCount(count: number): void {
    this.unreadCounts.push(count)
    this.wake()
  }

  payloads<C extends PushChannel>(channel: C): PushMap[C][] {
    return this.pushes.filter((p) => p.channel === channel).map((p) => p.payload as PushMap[C])
  }

  /** Resolves once `check()` is true (checked now and after each output); rejects on timeout. */
  waitFor(check: () => boolean, description: string, timeoutMs = 10_000): Promise<void> {
    if (check()) return Promise.resolve()
    return new Promise((resolve, reject) => {
      const waiter = {
        check,
        resolve: () => {
          clearTimeout(timer)
          resolve()
        },
      }
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter)
        reject(new Error(`Timed out after ${timeoutMs} ms waiting for: ${description}`))
      }, timeoutMs)
      this.waiters.push(waiter)
    })
  }

  private wake(): void {
    const ready = this.waiters.filter((w) => w.check())
    if (ready.length === 0) return
    this.waiters = this.waiters.filter((w) => !ready.includes(w))
    for (const waiter of ready) waiter.resolve()
  }
}
