import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'

/** What the rest of the server reports; each server has its own registry (tests run several). */
export interface ServerMetrics {
  readonly registry: Registry
  /** A batch committed: its events, how long its commit took, how long the append took. */
  committed(events: number, commitSeconds: number, appendSeconds?: number): void
  /** A unit of work waited `waitSeconds` for its batch's connection and ran `runSeconds`. */
  unitRan(waitSeconds: number, runSeconds: number): void
  /** Events delivered to this node's sockets (by the commit on SQLite, by the tail in a cluster). */
  delivered(events: number): void
  /** A resume read what a client missed (`events`), or told it to resync (`reason`). */
  replayed(events: number): void
  resynced(reason: string): void
  /** A password hash (scrypt) was computed: a registration, a login or a password change. */
  passwordHashed(): void
}

/** The labels of the delivery lag, read when scraped. */
export interface DeliveryLag {
  /** Events committed anywhere and not yet delivered here. */
  events(): Promise<number>
}

/**
 * The server's Prometheus metrics (GET /metrics), as an operator of a cluster needs them per node:
 * open connections, events committed (a rate is events per second), commit latency and events per
 * commit (group commit at work), the time the append under the event-order lock takes, events
 * delivered, the delivery lag, replays and resyncs; and Node's own process metrics.
 */
export function createMetrics(
  connections: () => number,
  lag: DeliveryLag,
  labels: Record<string, string>,
  hashesWaiting: () => number = () => 0,
): ServerMetrics {
  const registry = new Registry()
  registry.setDefaultLabels(labels)
  collectDefaultMetrics({ register: registry })
  new Gauge({
    name: 'tidings_connections',
    help: 'Open event-stream connections on this node.',
    registers: [registry],
    collect() {
      this.set(connections())
    },
  })
  new Gauge({
    name: 'tidings_delivery_lag_events',
    help: 'Events committed in the cluster and not yet delivered by this node.',
    registers: [registry],
    async collect() {
      this.set(await lag.events())
    },
  })
  const committedEvents = new Counter({
    name: 'tidings_events_committed_total',
    help: 'Events committed by this node.',
    registers: [registry],
  })
  const commits = new Histogram({
    name: 'tidings_commit_duration_seconds',
    help: 'Time to commit one batch of units of work (append included).',
    buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 1],
    registers: [registry],
  })
  const perCommit = new Histogram({
    name: 'tidings_events_per_commit',
    help: 'Events in one committed batch.',
    buckets: [0, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000],
    registers: [registry],
  })
  const appends = new Histogram({
    name: 'tidings_append_duration_seconds',
    help: 'Time of the append and commit, the one round trip that holds the cluster-wide event-order lock (PostgreSQL).',
    buckets: [0.0002, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1],
    registers: [registry],
  })
  // A node's units of work run one after another on their batch's connection (PostgreSQL): when
  // they arrive faster than their statements' round trips end, they queue, and the wait is the
  // first sign that a node needs fewer round trips per unit or more nodes.
  const unitWaits = new Histogram({
    name: 'tidings_unit_wait_seconds',
    help: 'Time a unit of work waited for its turn on its batch’s connection (PostgreSQL).',
    buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 1],
    registers: [registry],
  })
  const unitRuns = new Histogram({
    name: 'tidings_unit_duration_seconds',
    help: 'Time a unit of work ran in its batch’s transaction, its round trips included (PostgreSQL).',
    buckets: [0.0002, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1],
    registers: [registry],
  })
  const deliveredEvents = new Counter({
    name: 'tidings_events_delivered_total',
    help: 'Events delivered to this node’s sockets.',
    registers: [registry],
  })
  const replays = new Counter({
    name: 'tidings_replays_total',
    help: 'Resumes that replayed what the client missed.',
    registers: [registry],
  })
  const replayedEvents = new Counter({
    name: 'tidings_replayed_events_total',
    help: 'Events sent by replays.',
    registers: [registry],
  })
  const hashes = new Counter({
    name: 'tidings_password_hashes_total',
    help: 'Password hashes (scrypt) computed: registrations, logins, password changes.',
    registers: [registry],
  })
  new Gauge({
    name: 'tidings_password_hashes_waiting',
    help: 'Password hashes waiting for a turn in the hashing pool.',
    registers: [registry],
    collect() {
      this.set(hashesWaiting())
    },
  })
  const resyncs = new Counter({
    name: 'tidings_resyncs_total',
    help: 'Resumes answered with resync_required, by reason.',
    labelNames: ['reason'],
    registers: [registry],
  })
  return {
    registry,
    committed(events, commitSeconds, appendSeconds) {
      committedEvents.inc(events)
      commits.observe(commitSeconds)
      perCommit.observe(events)
      if (appendSeconds !== undefined) appends.observe(appendSeconds)
    },
    unitRan(waitSeconds, runSeconds) {
      unitWaits.observe(waitSeconds)
      unitRuns.observe(runSeconds)
    },
    delivered(events) {
      if (events > 0) deliveredEvents.inc(events)
    },
    replayed(events) {
      replays.inc()
      replayedEvents.inc(events)
    },
    resynced(reason) {
      resyncs.inc({ reason })
    },
    passwordHashed() {
      hashes.inc()
    },
  }
}
