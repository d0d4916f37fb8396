import { HttpError } from '../http/httpError'

/** More work waits than the pool takes: the caller is told to come back (429). */
export class PoolFull extends HttpError {
  constructor() {
    super(429, 'rate_limited', 'Too many sign-ins are waiting; try again in a few seconds.')
  }
}

/**
 * Runs at most `concurrency` tasks at once, fairly between keys: waiting tasks are taken one per
 * key in turn (round robin), so a key with many waiting (one address sending thirty logins at
 * once) delays another key's task by at most one task each, not by all of its own. At most
 * `maxWaiting` tasks wait; more are refused with PoolFull at once.
 *
 * For scrypt: each hash holds a thread of libuv's pool (4 by default, shared with file system
 * work and DNS lookups) and tens of MiB for tens of milliseconds. Left unbounded, a burst of
 * logins takes every thread, and every request that reads a file waits behind it.
 */
export class FairPool {
  private running = 0
  private waitingCount = 0
  /** Waiting tasks by key; a Map keeps insertion order, which is the order keys are served. */
  private readonly queues = new Map<string, (() => void)[]>()

  constructor(
    private readonly concurrency: number,
    private readonly maxWaiting: number,
  ) {}

  /** Tasks waiting for a turn. */
  get waiting(): number {
    return this.waitingCount
  }

  async run<T>(key: string, task: () => Promise<T>): Promise<T> {
    if (this.running < this.concurrency) {
      this.running += 1
    } else {
      if (this.waitingCount >= this.maxWaiting) throw new PoolFull()
      // The slot is handed over by the task that ends (see next): running stays counted.
      await new Promise<void>((resolve) => this.enqueue(key, resolve))
    }
    try {
      return await task()
    } finally {
      this.next()
    }
  }

  private enqueue(key: string, start: () => void): void {
    const queue = this.queues.get(key)
    if (queue) queue.push(start)
    else this.queues.set(key, [start])
    this.waitingCount += 1
  }

  /** Hands the slot of a task that ended to the first key in turn, which then goes last. */
  private next(): void {
    const first = this.queues.entries().next()
    if (first.done) {
      this.running -= 1
      return
    }
    const [key, queue] = first.value
    const start = queue.shift()!
    this.queues.delete(key)
    if (queue.length > 0) this.queues.set(key, queue)
    this.waitingCount -= 1
    start()
  }
}
