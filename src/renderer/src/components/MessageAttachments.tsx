import { useState } from 'react'
import { FormattedMessage, useIntl } from 'react-intl'
import { defineMessages } from '../../../shared/i18n/defineMessages'
import type { Attachment } from '../../../shared/models'
import { errorMessage } from '../ipcClient'
import { readAttachment, saveAttachment } from '../stores/attachmentFiles'
import { useTranslator } from '../stores/locale'
import { INLINE_IMAGE_TYPES, humanSize } from '../stores/pendingAttachments'
import { useBlobUrl } from './useBlobUrl'

const messages = defineMessages({
  save: { id: 'attachment.save.label', defaultMessage: 'Save {name}' },
})

/**
 * The files of a message: raster images as thumbnails, anything else as a card with its name,
 * size and Save. Either saves through main's save dialog; nothing is opened or run from here.
 */
export function MessageAttachments({
  conversationId,
  attachments,
}: {
  conversationId: number
  attachments: readonly Attachment[]
}) {
  const intl = useIntl()
  return (
    <ul
      className="attachments"
      aria-label={intl.formatMessage({ id: 'attachments.label', defaultMessage: 'Attachments' })}
      data-testid="attachments"
    >
      {attachments.map((attachment) => (
        <li key={attachment.id}>
          {INLINE_IMAGE_TYPES.has(attachment.mime) ? (
            <ImageAttachment conversationId={conversationId} attachment={attachment} />
          ) : (
            <FileCard conversationId={conversationId} attachment={attachment} />
          )}
        </li>
      ))}
    </ul>
  )
}

interface AttachmentProps {
  conversationId: number
  attachment: Attachment
}

/** Save, and what went wrong with it (shown under the file). */
function useSave({ conversationId, attachment }: AttachmentProps) {
  const [error, setError] = useState<string | null>(null)
  const save = () => {
    setError(null)
    saveAttachment(conversationId, attachment).catch((e: unknown) => setError(errorMessage(e)))
  }
  return { save, error }
}

function ImageAttachment(props: AttachmentProps) {
  const { attachment } = props
  const url = useBlobUrl(`${props.conversationId}/${attachment.id}`, () =>
    readAttachment(props.conversationId, attachment.id, attachment.mime),
  )
  const { save, error } = useSave(props)
  const intl = useIntl()
  const translator = useTranslator()
  return (
    <>
      <button
        type="button"
        className="attachment-image"
        title={intl.formatMessage(messages.save, { name: attachment.name })}
        aria-label={intl.formatMessage(
          { id: 'attachment.image.save.label', defaultMessage: 'Save {name} ({size})' },
          { name: attachment.name, size: humanSize(attachment.size, translator) },
        )}
        onClick={save}
      >
        {url ? (
          <img src={url} alt={attachment.name} data-testid="attachment-image" />
        ) : (
          <span className="attachment-image__placeholder small">{attachment.name}</span>
        )}
      </button>
      {error && (
        <p className="attachment__error small" role="alert">
          {error}
        </p>
      )}
    </>
  )
}

function FileCard(props: AttachmentProps) {
  const { attachment } = props
  const { save, error } = useSave(props)
  const intl = useIntl()
  const translator = useTranslator()
  return (
    <div className="attachment-card" data-testid="attachment-card">
      <span className="attachment-card__text">
        <bdi className="attachment-card__name">{attachment.name}</bdi>
        <span className="attachment-card__size small">
          {humanSize(attachment.size, translator)}
        </span>
      </span>
      <button
        type="button"
        className="button button--small"
        aria-label={intl.formatMessage(messages.save, { name: attachment.name })}
        onClick={save}
      >
        <FormattedMessage id="attachment.save" defaultMessage="Save" />
      </button>
      {error && (
        <p className="attachment__error small" role="alert">
          {error}
        </p>
      )}
    </div>
  )
}
