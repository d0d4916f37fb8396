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
  /** How long after a read that gave nothing the URL is left alone (its old preview, if any, kept). */
  failureCacheMs: number
}

/** How often an unfurl's attach reads the message again when edits keep changing it meanwhile. */
const ATTACH_ATTEMPTS = 3

/** Where a background unfurl's failure goes (the server's log). */
export type PreviewFailure = (error: unknown) => void

/**
 * Link previews: once a new message is committed, its first link is unfurled in the background
 * (outside any unit of work: it is network), the preview is stored once per URL (the cache every
 * message linking it shares) and the message reaches the members again as message_updated with
 * its `link_preview`. Its sender can remove it, for good: neither a late unfurl nor an edit brings
 * it back. An edit that changes the first link unfurls the new one (or drops the preview when no
 * link is left). A refused or failed fetch leaves the message as it is (a preview is a nicety,
 * never a condition of a send) and is remembered per URL for a while, so that a failing link is
 * not fetched again for every message that links it.
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
    this.unfurlWhenCommitted(message, url)
  }

  /**
   * Messages.onTextEdited: when the edit changes the first link, the old preview goes with it (in
   * the edit's own message_updated) and the new link is unfurled once the edit is committed;
   * unless the sender removed the preview, which stays removed.
   */
  async edited(tx: Tx, before: Message, text: string): Promise<void> {
    const url = firstLink(text)
    if (url === firstLink(before.text)) return
    await tx.run(
      tx.q
        .updateTable('messages')
        .set({ link_preview_id: null })
        .where('id', '=', before.id)
        .where('link_preview_id', 'is not', null),
    )
    if (!this.options.enabled || url === undefined) return
    const row = await tx.first(
      tx.q.selectFrom('messages').select('link_preview_removed').where('id', '=', before.id),
    )
    if (row?.link_preview_removed !== null) return
    // As on a send: the links of mail and bridged messages are never fetched.
    const { platform } = await this.conversations.requireMember(
      tx,
      before.conversation_id,
      before.sender_id,
    )
    if (platform !== 'tidings') return
    this.unfurlWhenCommitted({ ...before, text }, url)
  }

  /** Resolves once every unfurl started so far is done (shutdown, tests). */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running])
  }

  /**
   * Removes the preview of one's own message, for good (an unfurl still under way or a later edit
   * does not bring one back); having none changes nothing visible and emits nothing.
   */
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
        .set({ link_preview_id: null, link_preview_removed: 1 })
        .where('id', '=', messageId)
        .where('link_preview_id', 'is not', null),
    )
    if (changes === 0) {
      // None shown yet: none may come either (its unfurl may still be under way).
      await tx.run(
        tx.q
          .updateTable('messages')
          .set({ link_preview_removed: 1 })
          .where('id', '=', messageId)
          .where('link_preview_removed', 'is', null),
      )
    }
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

  private unfurlWhenCommitted(message: Message, url: string): void {
    this.unitOfWork.whenCommitted({
      committed: () => this.track(this.attach(message, url)),
      failed: () => undefined,
    })
  }

  private async attach(message: Message, url: string): Promise<void> {
    const previewId = await this.previewFor(url)
    if (previewId === undefined) return
    await this.unitOfWork.run(async (tx) => {
      // Not on a message deleted meanwhile, nor twice, nor after its sender removed the preview,
      // nor after an edit that changed its first link (an edit that kept it keeps the preview).
      // The text read is compared again in the update, so an edit committing in between is seen
      // on either engine; then the message is read again.
      for (let attempt = 0; attempt < ATTACH_ATTEMPTS; attempt += 1) {
        const row = await tx.first(
          tx.q
            .selectFrom('messages')
            .select(['text', 'deleted_at', 'link_preview_id', 'link_preview_removed'])
            .where('id', '=', message.id),
        )
        if (!row || row.deleted_at !== null || row.link_preview_id !== null) return
        if (row.link_preview_removed !== null || firstLink(row.text) !== url) return
        const changes = await tx.run(
          tx.q
            .updateTable('messages')
            .set({ link_preview_id: previewId })
            .where('id', '=', message.id)
            .where('text', '=', row.text)
            .where('deleted_at', 'is', null)
            .where('link_preview_id', 'is', null)
            .where('link_preview_removed', 'is', null),
        )
        if (changes === 0) continue
        const updated = (await this.messages.get(tx, message.id))!
        tx.events.toConversation(
          'message_updated',
          { conversation_id: message.conversation_id, message: updated },
          message.conversation_id,
        )
        return
      }
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

  /**
   * A URL's row is the cache of both outcomes: a preview (read again after `cacheMs`) and a read
   * that gave nothing (`failed_at`: not tried again before `failureCacheMs`; a preview read
   * earlier stays in use until then and after, as long as reads keep failing).
   */
  private async readOrFetch(url: string): Promise<number | undefined> {
    const cached = await this.db.first(
      this.db.q
        .selectFrom('link_previews')
        .select(['id', 'fetched_at', 'failed_at', 'title', 'description'])
        .where('url', '=', url),
    )
    // A row that only remembers a failure has nothing to show.
    const usable =
      cached && (cached.title !== null || cached.description !== null)
        ? Number(cached.id)
        : undefined
    if (cached && this.fresh(cached)) return usable
    const preview = await unfurl(url, this.options.resolveHost)
    if (!preview) {
      await this.rememberFailure(url)
      return usable
    }
    const values = {
      title: preview.title ?? null,
      description: preview.description ?? null,
      site_name: preview.siteName ?? null,
      image_mime: preview.image?.mime ?? null,
      image_bytes: preview.image?.bytes ?? null,
      fetched_at: nowIso(),
      failed_at: null,
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

  private fresh(row: { fetched_at: string; failed_at: string | null }): boolean {
    const now = Date.now()
    if (row.failed_at !== null) {
      return row.failed_at >= new Date(now - this.options.failureCacheMs).toISOString()
    }
    return row.fetched_at >= new Date(now - this.options.cacheMs).toISOString()
  }

  /** Marks the URL's row failed now (a new row has nothing else), keeping any preview it had. */
  private async rememberFailure(url: string): Promise<void> {
    const now = nowIso()
    await this.unitOfWork.transaction((q) =>
      q.run(
        q.q
          .insertInto('link_previews')
          .values({ url, fetched_at: now, failed_at: now })
          .onConflict((oc) => oc.column('url').doUpdateSet({ failed_at: now })),
      ),
    )
  }
}
