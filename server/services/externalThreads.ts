import { nowIso } from '../clock'
import type { Queryable } from '../storage/database'
import type { Tx } from '../storage/unitOfWork'
import type { Conversations } from './conversations'
import type { AccountRow } from './platformAccounts'

/** A thread of an external platform and who takes part in it. */
export interface ExternalThread {
  account_id: number
  subject: string | null
  participants: string[]
}

/**
 * Which conversation an external thread (an email thread, a bridged chat) lands in: one
 * conversation per thread, with the account's owner as its only member, found again by the
 * thread's key or (email) by its subject, and the external addresses its replies go to.
 */
export class ExternalThreads {
  constructor(private readonly conversations: Conversations) {}

  async byKey(db: Queryable, accountId: number, key: string): Promise<number | undefined> {
    const row = await db.first(
      db.q
        .selectFrom('external_threads')
        .select('conversation_id')
        .where('account_id', '=', accountId)
        .where('thread_key', '=', key),
    )
    return row?.conversation_id
  }

  /** The newest thread of the account whose normalized subject is this one. */
  async bySubject(db: Queryable, accountId: number, subject: string): Promise<number | undefined> {
    const row = await db.first(
      db.q
        .selectFrom('external_threads')
        .select('conversation_id')
        .where('account_id', '=', accountId)
        .where('subject', '=', subject)
        .orderBy('id', 'desc')
        .limit(1),
    )
    return row?.conversation_id
  }

  async ofConversation(db: Queryable, conversationId: number): Promise<ExternalThread | undefined> {
    const row = await db.first(
      db.q
        .selectFrom('external_threads')
        .select(['account_id', 'subject', 'participants'])
        .where('conversation_id', '=', conversationId),
    )
    return row && { ...row, participants: JSON.parse(row.participants) as string[] }
  }

  /** Creates the conversation of a new external thread, with the account owner as its member. */
  async create(
    tx: Tx,
    account: AccountRow,
    key: string,
    title: string,
    subject: string | null,
    participants: string[],
  ): Promise<number> {
    const { conversation } = await this.conversations.create(
      tx,
      account.owner_id,
      [],
      title.slice(0, 128),
      account.platform,
    )
    await tx.run(
      tx.q.insertInto('external_threads').values({
        account_id: account.id,
        thread_key: key,
        conversation_id: conversation.id,
        subject,
        participants: JSON.stringify([...new Set(participants)]),
        created_at: nowIso(),
      }),
    )
    return conversation.id
  }

  /** Adds addresses to the people a thread's replies go to. */
  async addParticipants(tx: Tx, conversationId: number, addresses: string[]): Promise<void> {
    const thread = await this.ofConversation(tx, conversationId)
    if (!thread) return
    const known = new Set(thread.participants.map((a) => a.toLowerCase()))
    const added = addresses.filter((a) => !known.has(a.toLowerCase()))
    if (added.length === 0) return
    await tx.run(
      tx.q
        .updateTable('external_threads')
        .set({ participants: JSON.stringify([...thread.participants, ...added]) })
        .where('conversation_id', '=', conversationId),
    )
  }
}
