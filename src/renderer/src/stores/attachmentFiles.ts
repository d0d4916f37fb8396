import type { Attachment } from '../../../shared/models'
import { ipc } from '../ipcClient'

/**
 * The files of sent messages, through main: their bytes for showing (main keeps recently read
 * ones in memory) and saving one where the user says in main's save dialog (the page never names
 * a path).
 */

/** The bytes of a sent file, as a Blob of its type. */
export async function readAttachment(
  conversationId: number,
  attachmentId: number,
  mime: string,
): Promise<Blob> {
  const { data } = await ipc()['attachments/read']({
    conversation_id: conversationId,
    attachment_id: attachmentId,
  })
  return new Blob([data as Uint8Array<ArrayBuffer>], { type: mime })
}

/** A link preview's image (the message's `link_preview.image_path`), as a Blob of its type. */
export async function readLinkPreviewImage(imagePath: string): Promise<Blob> {
  const { mime, data } = await ipc()['previews/image']({ image_path: imagePath })
  return new Blob([data as Uint8Array<ArrayBuffer>], { type: mime })
}

/** Asks where to save a sent file and saves it there; false when the user cancelled. */
export async function saveAttachment(
  conversationId: number,
  attachment: Attachment,
): Promise<boolean> {
  const { saved } = await ipc()['attachments/save']({
    conversation_id: conversationId,
    attachment_id: attachment.id,
    name: attachment.name,
  })
  return saved
}
