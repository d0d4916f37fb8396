import type { Platform } from '../../../shared/models'
import { useTranslator } from '../stores/locale'
import { platformLabel } from '../platformLabel'

/** A small "Email" / "WhatsApp" tag for conversations that come from a connected platform. */
export function PlatformTag({ platform }: { platform: Platform }) {
  const translator = useTranslator()
  if (platform === 'tidings') return null
  // The space keeps "Quarterly report Email" two words for screen readers and copied text.
  return (
    <>
      {' '}
      <span className={`platform-tag platform-tag--${platform}`} data-testid="platform-tag">
        {platformLabel(platform, translator)}
      </span>
    </>
  )
}
