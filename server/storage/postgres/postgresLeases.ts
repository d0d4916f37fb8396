import type pg from 'pg'
import type { LeasedJob, Leases } from '../../cluster/leases'

/** The class of the two-key advisory locks that stand for leases (the key is the name's hash). */
const LEASE_CLASS = 7305

/**
 * Leases as session advisory locks held by one connection of this node (pg_try_advisory_lock):
 * PostgreSQL releases them when that session ends, so when a node dies (or loses its connection)
 * its jobs are free, and whichever node asks next takes them over. Every `intervalMs` the node
 * asks for the leases it wants and does not hold, and checks that its session is alive; a
 * session that failed costs every lease (the jobs stop) until it is back.
 */
export class PostgresLeases implements Leases {
  private readonly wanted = new Map<string, LeasedJob>()
  private readonly held = new Set<string>()
  private client: pg.Client | undefined
  private timer: NodeJS.Timeout | undefined
  private round: Promise<void> | undefined
  private stopped = false

  constructor(
    private readonly connect: () => pg.Client,
    private readonly intervalMs: number,
    private readonly reportError: (error: unknown) => void,
  ) {}

  async start(): Promise<void> {
    this.timer = setInterval(() => this.tryNow(), this.intervalMs)
    this.timer.unref()
    this.tryNow()
    await this.round
  }

  hold(name: string, job: LeasedJob): void {
    if (this.stopped || this.wanted.has(name)) return
    this.wanted.set(name, job)
    this.tryNow()
  }

  async release(name: string): Promise<void> {
    const job = this.wanted.get(name)
    if (!job) return
    this.wanted.delete(name)
    if (!this.held.delete(name)) return
    await job.stop()
    await this.client
      ?.query('select pg_advisory_unlock($1, hashtext($2))', [LEASE_CLASS, name])
      .catch(() => undefined)
  }

  holds(name: string): boolean {
    return this.held.has(name)
  }

  async stop(): Promise<void> {
    this.stopped = true
    clearInterval(this.timer)
    await this.round
    await this.loseAll()
    await this.client?.end().catch(() => undefined)
    this.client = undefined
  }

  /** A round of asking, unless one is running. */
  private tryNow(): void {
    if (this.stopped || this.round) return
    this.round = this.ask()
      .catch(async (error: unknown) => {
        this.reportError(error)
        // The session is gone, and the locks with it.
        await this.loseAll()
        await this.client?.end().catch(() => undefined)
        this.client = undefined
      })
      .finally(() => (this.round = undefined))
  }

  private async ask(): Promise<void> {
    const client = await this.session()
    await client.query('select 1')
    for (const [name, job] of this.wanted) {
      if (this.held.has(name) || this.stopped) continue
      const { rows } = await client.query<{ locked: boolean }>(
        'select pg_try_advisory_lock($1, hashtext($2)) as locked',
        [LEASE_CLASS, name],
      )
      if (!rows[0]?.locked) continue
      // Given up while asking: give the lock back.
      if (!this.wanted.has(name) || this.stopped) {
        await client.query('select pg_advisory_unlock($1, hashtext($2))', [LEASE_CLASS, name])
        continue
      }
      this.held.add(name)
      job.start()
    }
  }

  private async session(): Promise<pg.Client> {
    if (this.client) return this.client
    const client = this.connect()
    client.on('error', (error) => {
      if (this.client !== client) return
      this.reportError(error)
      this.client = undefined
      void this.loseAll()
    })
    await client.connect()
    this.client = client
    return client
  }

  private async loseAll(): Promise<void> {
    const jobs = [...this.held].map((name) => this.wanted.get(name))
    this.held.clear()
    await Promise.allSettled(jobs.map((job) => job?.stop()))
  }
}
