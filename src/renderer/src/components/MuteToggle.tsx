import { useState } from 'react'
import { useIsMuted, usePreferences } from '../stores/preferences'
import { BellOffIcon } from './BellOffIcon'

/**
 * The thread header's "Mute notifications" toggle, where Signal and Mattermost users look for
 * it. Its name stays the same and aria-pressed tells the state, as a toggle button should; the
 * settings window's mute list follows the change live (both read the same preference).
 */
export function MuteToggle({ conversationId }: { conversationId: number }) {
  const muted = useIsMuted(conversationId)
  const setMuted = usePreferences((s) => s.setMuted)
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)

  async function toggle() {
    setBusy(true)
    setError(null)
    const ok = await setMuted(conversationId, !muted)
    setBusy(false)
    if (!ok) setError(usePreferences.getState().error ?? 'Could not change the mute setting')
  }

  return (
    <div className="mute-toggle">
      <button
        type="button"
        className="button button--small mute-toggle__button"
        aria-pressed={muted}
        aria-label="Mute notifications"
        title={
          muted
            ? 'Notifications from this conversation are muted'
            : 'Mute notifications from this conversation'
        }
        data-testid="mute-toggle"
        disabled={busy}
        onClick={() => void toggle()}
      >
        {muted && <BellOffIcon className="icon" />}
        {/* The same word in both states (the pressed look and the icon show it is on), and
            part of the accessible name, so speech users can say what they see. */}
        Mute
      </button>
      {error && (
        <p className="form-error small" role="alert" data-testid="mute-error">
          {error}
        </p>
      )}
    </div>
  )
}
