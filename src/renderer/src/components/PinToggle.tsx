import { useState } from 'react'
import { useIsPinned, usePreferences } from '../stores/preferences'
import { PinIcon } from './PinIcon'

/**
 * The thread header's "Pin" toggle, next to Mute and built the same way: one name, the state in
 * aria-pressed. A pin past the limit is refused by main; its reason shows under the button.
 */
export function PinToggle({ conversationId }: { conversationId: number }) {
  const pinned = useIsPinned(conversationId)
  const setPinned = usePreferences((s) => s.setPinned)
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)

  async function toggle() {
    setBusy(true)
    setError(null)
    const ok = await setPinned(conversationId, !pinned)
    setBusy(false)
    if (!ok) setError(usePreferences.getState().error ?? 'Could not change the pin')
  }

  return (
    <div className="mute-toggle">
      <button
        type="button"
        className="button button--small mute-toggle__button"
        aria-pressed={pinned}
        aria-label="Pin conversation"
        title={pinned ? 'Pinned to the top of the list' : 'Pin to the top of the list'}
        data-testid="pin-toggle"
        disabled={busy}
        onClick={() => void toggle()}
      >
        {pinned && <PinIcon className="icon" />}
        {/* One word in both states, as Mute does: the pressed look and the icon show the state. */}
        Pin
      </button>
      {error && (
        <p className="form-error small" role="alert" data-testid="pin-error">
          {error}
        </p>
      )}
    </div>
  )
}
