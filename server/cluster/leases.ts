/**
 * A job that must run on exactly one server node at a time: the mail connection of an account,
 * event pruning, the sweep of unsent uploads, the cleanup of a dead node's presence.
 */
export interface LeasedJob {
  /** This node now holds the lease: start the job. */
  start(): void
  /** This node lost the lease (or is stopping): stop the job. */
  stop(): Promise<void> | void
}

/**
 * Who runs which one-owner job. One node (SQLite) holds every lease; in a cluster a lease is a
 * PostgreSQL advisory lock held by a node's session, which the database releases when that node
 * dies, so that another node takes the job over (see postgres/postgresLeases).
 */
export interface Leases {
  /** Wants the lease `name` for `job`: starts it when held, stops it when lost. */
  hold(name: string, job: LeasedJob): void
  /** No longer wants the lease (the job's subject is gone); stops the job if running. */
  release(name: string): Promise<void>
  /** Whether this node runs the job now. */
  holds(name: string): boolean
  /** Stops every job and gives every lease up. */
  stop(): Promise<void>
}

/** The single-node case: every lease is this node's at once. */
export class LocalLeases implements Leases {
  private readonly jobs = new Map<string, LeasedJob>()
  private stopped = false

  hold(name: string, job: LeasedJob): void {
    if (this.stopped || this.jobs.has(name)) return
    this.jobs.set(name, job)
    job.start()
  }

  async release(name: string): Promise<void> {
    const job = this.jobs.get(name)
    if (!job) return
    this.jobs.delete(name)
    await job.stop()
  }

  holds(name: string): boolean {
    return this.jobs.has(name)
  }

  async stop(): Promise<void> {
    this.stopped = true
    const jobs = [...this.jobs.values()]
    this.jobs.clear()
    await Promise.allSettled(jobs.map((job) => job.stop()))
  }
}
