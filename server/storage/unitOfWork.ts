import type { Queryable } from './database'
import type { EventSink } from './eventSink'

/**
 * What a unit of work hands its work: the queries of its transaction and the events it causes.
 * Everything it writes and emits commits together or not at all.
 */
export interface Tx extends Queryable {
  readonly events: EventSink
  /**
   * Records that `userId` joined or left the conversation at this point of the unit (after the
   * events emitted so far), which bounds the membership spans that replay and delivery read.
   * SQLite keeps the spans with triggers and ignores this; PostgreSQL writes them when it
   * assigns the event ids (see postgres/eventAppender).
   */
  membershipChanged(conversationId: number, userId: number, change: 'joined' | 'left'): void
}

/** Told of every batch committed (the server's metrics). */
export interface CommitObserver {
  committed(events: number, commitSeconds: number, appendSeconds?: number): void
  /**
   * A unit of work ran (PostgreSQL): how long it waited for its turn on its batch's connection,
   * and how long it then ran (its statements' round trips).
   */
  unitRan?(waitSeconds: number, runSeconds: number): void
}

/** Told the outcome of the batch a unit of work joined. */
export interface CommitListener {
  /**
   * The batch committed and its events were delivered to this node's sockets: runs inside that
   * delivery, after the batch's events and before the sockets' writes go out, so that a frame it
   * sends to the same sockets (a send's ack) joins them.
   */
  committed(): void
  failed(error: unknown): void
}

/**
 * Runs changes and the events they cause as units, with group commit: the units of a batch share
 * one transaction (each a savepoint, so that one that throws rolls back alone), the batch commits
 * once, and only then are its events delivered, in order. A client therefore never sees an event
 * whose change was rolled back, never misses one that was stored, and many requests arriving
 * together cost one commit instead of one each. See sqlite/sqliteUnitOfWork and
 * postgres/postgresUnitOfWork for how each engine batches.
 *
 * An HTTP response waits for `durable()` (an onSend hook), so no client is told "stored" before
 * the commit.
 */
export interface UnitOfWork {
  /**
   * Runs `work` as one unit of the current batch; resolves with its result once its work is done
   * (not yet committed: see `durable` and `whenCommitted`). Work must only await its queries:
   * anything slow (hashing, network, files) belongs before or after the unit.
   */
  run<T>(work: (tx: Tx) => Promise<T>): Promise<T>
  /**
   * Runs `work` in one transaction that emits no events (search indexing, stored files). On
   * SQLite it joins the batch (there is one connection); on PostgreSQL it is a transaction of its
   * own on a pooled connection, so that a long one holds no send back.
   */
  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T>
  /** Resolves once everything written so far is committed (at once when nothing is pending). */
  durable(): Promise<void>
  /** Tells `listener` of the outcome of everything written so far (see CommitListener). */
  whenCommitted(listener: CommitListener): void
  /** Commits what is pending now rather than at the end of the batch (presence, shutdown). */
  flush(): Promise<void>
}
