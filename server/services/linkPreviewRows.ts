import type { LinkPreview, Message } from '../../src/shared/models'
import type { Queryable } from '../storage/database'
import { idList, sqlWithIdList } from '../storage/idList'

interface PreviewRow {
  message_id: number
  id: number
  url: string
  title: string | null
  description: string | null
  site_name: string | null
  has_image: number
}

/** The previews of a list of messages (without the image bytes: only whether there is one). */
const OF_MESSAGES = sqlWithIdList(
  `select m.id as message_id, p.id, p.url, p.title, p.description, p.site_name,
          case when p.image_bytes is null then 0 else 1 end as has_image
   from messages m join link_previews p on p.id = m.link_preview_id
   where m.id in (:ids)`,
)

/** Where the app gets a preview's image (see linkPreviewRoutes). */
export function previewImagePath(previewId: number): string {
  return `/link-previews/${previewId}/image`
}

/**
 * Sets `link_preview` on those of `messages` whose first link was unfurled, in one query for all
 * of them, as the reactions and files are. A deleted message shows none.
 */
export async function attachLinkPreviews<T extends Message>(
  db: Queryable,
  messages: T[],
): Promise<T[]> {
  const live = messages.filter((message) => !message.deleted_at)
  for (const message of messages) delete message.link_preview
  if (live.length === 0) return messages
  const ids = live.map((m) => m.id)
  const rows = await db.allRaw<PreviewRow>(OF_MESSAGES, [idList(db, ids)])
  const byMessage = new Map(rows.map((row) => [Number(row.message_id), row]))
  for (const message of live) {
    const row = byMessage.get(message.id)
    if (row) message.link_preview = toLinkPreview(row)
  }
  return messages
}

function toLinkPreview(row: PreviewRow): LinkPreview {
  const preview: LinkPreview = { url: row.url }
  if (row.title !== null) preview.title = row.title
  if (row.description !== null) preview.description = row.description
  if (row.site_name !== null) preview.site_name = row.site_name
  if (Number(row.has_image) === 1) preview.image_path = previewImagePath(Number(row.id))
  return preview
}
