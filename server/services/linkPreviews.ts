import type { Message } from '../../src/shared/models'
import { nowIso } from '../clock'
import { forbidden, notFound } from '../http/httpError'
import type { ResolveHost } from '../previews/publicAddress'
import { firstLink, unfurl } from '../previews/unfurl'
import type { Database } from '../storage/database'
import type { Tx, UnitOfWork } from '../storage/unitOfWork'
import type { Conversations } from './conversations'
import type { Messages } from './messages'

export interface LinkPreviewOptions {
  /** Off: no link is fetched (the admin's switch, `--no-link-previews`). */
  enabled: boolean
  /** Where outbound fetches may go: the public-address policy; tests alone pass another. */
  resolveHost: ResolveHost
  /** How long a URL's preview is reused before the page is read again. */
  cacheMs: number
}

/** Where a background unfurl's failure goes (the server's log). */
export type PreviewFailure = (error: unknown) => void

/**
 * Link previews: once a new message is committed, its first link is unfurled in the background
 * (outside any unit of work: it is network), the preview is stored once per URL (the cache every
 * message linking it shares) and the message reaches the members again as message_updated with
 * its `link_preview`. Its sender can remove it. A refused or failed fetch leaves the message as it
 * is: a preview is a nicety, never a condition of a send.
 */
export class LinkPreviews {
  /** Unfurls under way, by URL: messages linking the same page at once share one fetch. */
  private readonly fetching = new Map<string, Promise<number | undefined>>()
  private readonly running = new Set<Promise<void>>()

  constructor(
    private readonly db: Database,
    private readonly unitOfWork: UnitOfWork,
    private readonly conversations: Conversations,
    private readonly messages: Messages,
    private readonly options: LinkPreviewOptions,
    private readonly failed: PreviewFailure,
  ) {}

  /** Messages.onSent: called in the send's unit; the fetch starts once it is committed. */
  sent(message: Message): void {
    if (!this.options.enabled || message.deleted_at !== null) return
    const url = firstLink(message.text)
    if (url === undefined) return
    this.unitOfWork.whenCommitted({
      committed: () => this.track(this.attach(message, url)),
      failed: () => undefined,
    })
  }

  /** Resolves once every unfurl started so far is done (shutdown, tests). */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running])
  }

  /** Removes the preview of one's own message; having none changes nothing and emits nothing. */
  async remove(tx: Tx, userId: number, messageId: number): Promise<Message> {
    const row = await tx.first(
      tx.q
        .selectFrom('messages')
        .select(['conversation_id', 'sender_id'])
        .where('id', '=', messageId),
    )
    if (!row) throw notFound('Message')
    const conversationId = Number(row.conversation_id)
    await this.conversations.requireMember(tx, conversationId, userId)
    if (Number(row.sender_id) !== userId) {
      throw forbidden('Only its sender can remove a message’s link preview.')
    }
    const changes = await tx.run(
      tx.q
        .updateTable('messages')
        .set({ link_preview_id: null })
        .where('id', '=', messageId)
        .where('link_preview_id', 'is not', null),
    )
    const message = (await this.messages.get(tx, messageId))!
    if (changes > 0) {
      tx.events.toConversation(
        'message_updated',
        { conversation_id: conversationId, message },
        conversationId,
      )
    }
    return message
  }

  /**
   * A preview's image, for a member of a conversation with a message that shows it: 404 for
   * anyone else, as for an unknown id (a preview is shared by URL, so its id says nothing).
   */
  async image(userId: number, previewId: number): Promise<{ mime: string; bytes: Buffer }> {
    const row = await this.db.first(
      this.db.q
        .selectFrom('link_previews as p')
        .select(['p.image_mime', 'p.image_bytes'])
        .where('p.id', '=', previewId)
        .where((eb) =>
          eb.exists(
            eb
              .selectFrom('messages as m')
              .innerJoin('conversation_members as cm', 'cm.conversation_id', 'm.conversation_id')
              .select('m.id')
              .where('m.link_preview_id', '=', previewId)
              .where('m.deleted_at', 'is', null)
              .where('cm.user_id', '=', userId),
          ),
        ),
    )
    if (!row?.image_mime || !row.image_bytes) throw notFound('Link preview image')
    return { mime: row.image_mime, bytes: Buffer.from(row.image_bytes) }
  }

  private track(work: Promise<void>): void {
    const tracked = work.catch(this.failed).finally(() => this.running.delete(tracked))
    this.running.add(tracked)
  }

  private async attach(message: Message, url: string): Promise<void> {
    const previewId = await this.previewFor(url)
    if (previewId === undefined) return
    await this.unitOfWork.run(async (tx) => {
      // Not on a message deleted meanwhile, nor twice.
      const changes = await tx.run(
        tx.q
          .updateTable('messages')
          .set({ link_preview_id: previewId })
          .where('id', '=', message.id)
          .where('deleted_at', 'is', null)
          .where('link_preview_id', 'is', null),
      )
      if (changes === 0) return
      const updated = (await this.messages.get(tx, message.id))!
      tx.events.toConversation(
        'message_updated',
        { conversation_id: message.conversation_id, message: updated },
        message.conversation_id,
      )
    })
  }

  /** The stored preview of a URL, read again from the page when older than the cache time. */
  private previewFor(url: string): Promise<number | undefined> {
    const under = this.fetching.get(url)
    if (under) return under
    const work = this.readOrFetch(url).finally(() => this.fetching.delete(url))
    this.fetching.set(url, work)
    return work
  }

  private async readOrFetch(url: string): Promise<number | undefined> {
    const cached = await this.db.first(
      this.db.q.selectFrom('link_previews').select(['id', 'fetched_at']).where('url', '=', url),
    )
    const freshFrom = new Date(Date.now() - this.options.cacheMs).toISOString()
    if (cached && cached.fetched_at >= freshFrom) return Number(cached.id)
    const preview = await unfurl(url, this.options.resolveHost)
    if (!preview) return cached ? Number(cached.id) : undefined
    const values = {
      title: preview.title ?? null,
      description: preview.description ?? null,
      site_name: preview.siteName ?? null,
      image_mime: preview.image?.mime ?? null,
      image_bytes: preview.image?.bytes ?? null,
      fetched_at: nowIso(),
    }
    const stored = await this.unitOfWork.transaction((q) =>
      q.first(
        q.q
          .insertInto('link_previews')
          .values({ url, ...values })
          .onConflict((oc) => oc.column('url').doUpdateSet(values))
          .returning('id'),
      ),
    )
    return stored ? Number(stored.id) : undefined
  }
}
