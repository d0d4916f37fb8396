import { FormattedMessage, useIntl } from 'react-intl'
import { defineMessages } from '../../../shared/i18n/defineMessages'
import type { LinkPreview } from '../../../shared/models'
import { isSafeExternalUrl } from '../../../shared/links'
import { readLinkPreviewImage } from '../stores/attachmentFiles'
import { LINK_OPTIONS } from './LinkifiedText'
import { useBlobUrl } from './useBlobUrl'

const messages = defineMessages({
  label: { id: 'linkPreview.label', defaultMessage: 'Link preview: {title}' },
  removeLabel: { id: 'linkPreview.remove.label', defaultMessage: 'Remove preview of {title}' },
})

/**
 * The card under a message whose first link the server unfurled: site name, title (a link that
 * opens in the system browser, as the links in messages do), description (each in the page's
 * own direction: dir=auto) and the page's image,
 * which main reads from the server (the app never contacts the linked site). Its sender may
 * remove it.
 */
export function LinkPreviewCard({
  preview,
  onRemove,
}: {
  preview: LinkPreview
  /** Given on the user's own messages: removes the preview. */
  onRemove?: () => void
}) {
  const title = preview.title ?? preview.url
  const intl = useIntl()
  return (
    <section
      className="link-preview"
      data-testid="link-preview"
      aria-label={intl.formatMessage(messages.label, { title })}
    >
      {preview.image_path !== undefined && <PreviewImage path={preview.image_path} />}
      <div className="link-preview__text">
        {preview.site_name !== undefined && (
          <p className="link-preview__site small" data-testid="link-preview-site" dir="auto">
            {preview.site_name}
          </p>
        )}
        {isSafeExternalUrl(preview.url) ? (
          <a
            className={`${LINK_OPTIONS.className as string} link-preview__title`}
            href={preview.url}
            target={LINK_OPTIONS.target as string}
            rel={LINK_OPTIONS.rel as string}
            data-testid="link-preview-title"
            dir="auto"
          >
            {title}
          </a>
        ) : (
          <p className="link-preview__title" data-testid="link-preview-title" dir="auto">
            {title}
          </p>
        )}
        {preview.description !== undefined && (
          <p
            className="link-preview__description small"
            data-testid="link-preview-description"
            dir="auto"
          >
            {preview.description}
          </p>
        )}
      </div>
      {onRemove && (
        <button
          type="button"
          className="button button--small button--ghost link-preview__remove"
          data-testid="remove-preview"
          aria-label={intl.formatMessage(messages.removeLabel, { title })}
          onClick={onRemove}
        >
          <FormattedMessage id="linkPreview.remove" defaultMessage="Remove preview" />
        </button>
      )}
    </section>
  )
}

/** The page's image; nothing until main has read it, and nothing when it could not. */
function PreviewImage({ path }: { path: string }) {
  const url = useBlobUrl(path, () => readLinkPreviewImage(path))
  if (url === null) return null
  // The title beside it says what it is: the image itself adds nothing to read out.
  return <img className="link-preview__image" src={url} alt="" data-testid="link-preview-image" />
}
