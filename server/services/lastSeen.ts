import { nowIso } from '../clock'
import type { UnitOfWork } from '../storage/unitOfWork'

/** Users per statement: a reconnect storm is written in a few statements, each of bounded size. */
const CHUNK = 500

/**
 * When each user was last seen, for the People list (users.last_seen_at): written when a user's
 * first connection to this node opens and when their last one closes (a sign-in writes it too),
 * gathered per turn of the event loop, so that a thousand clients coming back after a restart
 * cost a few statements, not a thousand transactions. Best effort: a failed write is reported,
 * and the user's next change writes again.
 */
export class LastSeen {
  private readonly pending = new Set<number>()
  private scheduled: NodeJS.Immediate | undefined
  private writing: Promise<void> = Promise.resolve()
  private stopped = false

  constructor(
    private readonly unitOfWork: UnitOfWork,
    private readonly reportError: (error: unknown) => void,
  ) {}

  /** The user was seen now (a connection of theirs opened or closed). */
  touch(userId: number): void {
    if (this.stopped) return
    this.pending.add(userId)
    this.scheduled ??= setImmediate(() => {
      this.scheduled = undefined
      this.writing = this.writing.then(() => this.write())
    })
  }

  /** Stops recording (shutdown) once what was gathered is written. */
  async stop(): Promise<void> {
    this.stopped = true
    if (this.scheduled) {
      clearImmediate(this.scheduled)
      this.scheduled = undefined
      this.writing = this.writing.then(() => this.write())
    }
    await this.writing
  }

  private async write(): Promise<void> {
    const ids = [...this.pending]
    this.pending.clear()
    const now = nowIso()
    for (let start = 0; start < ids.length; start += CHUNK) {
      const chunk = ids.slice(start, start + CHUNK)
      try {
        await this.unitOfWork.transaction((tx) =>
          tx.run(tx.q.updateTable('users').set({ last_seen_at: now }).where('id', 'in', chunk)),
        )
      } catch (error) {
        this.reportError(error)
      }
    }
  }
}
