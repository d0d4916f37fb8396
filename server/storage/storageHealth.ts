/**
 * A write refused for lack of space: SQLite's SQLITE_FULL, PostgreSQL's disk_full (53100), or a
 * file the server writes itself (an upload being received) failing with ENOSPC or EDQUOT.
 */
export function isStorageFull(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code
  return code === 'SQLITE_FULL' || code === '53100' || code === 'ENOSPC' || code === 'EDQUOT'
}

/** How long after the last write refused for lack of space the storage still counts as full. */
const HOLD_MS = 5_000

/**
 * Whether writes fail for lack of space, for /healthz. A write refused that way marks the
 * storage full; it counts as full as long as writes keep being refused (each refusal holds it for
 * HOLD_MS more), and after that until a probe write (a settings row, committed) succeeds: space
 * freed is noticed without a restart, and without waiting for a client's write.
 */
export class StorageHealth {
  private lastFullAt: number | undefined

  constructor(
    /** One small write, committed; rejects when it cannot be stored. */
    private readonly probe: () => Promise<void>,
    private readonly holdMs = HOLD_MS,
  ) {}

  /** Looks at a failed write; true when it was refused for lack of space (and is now counted). */
  observe(error: unknown): boolean {
    if (!isStorageFull(error)) return false
    this.lastFullAt = Date.now()
    return true
  }

  /** True while writes fail for lack of space (see the class). */
  async full(): Promise<boolean> {
    if (this.lastFullAt === undefined) return false
    if (Date.now() - this.lastFullAt < this.holdMs) return true
    try {
      await this.probe()
    } catch (error) {
      if (this.observe(error)) return true
      throw error
    }
    this.lastFullAt = undefined
    return false
  }
}
