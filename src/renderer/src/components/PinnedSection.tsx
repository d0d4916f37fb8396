import { useId } from 'react'
import { FormattedMessage } from 'react-intl'
import { MAX_PINNED_CONVERSATIONS } from '../../../shared/preferences'
import { conversationTitle, useConversations } from '../stores/conversations'
import { usePreferences } from '../stores/preferences'
import { useSession } from '../stores/session'

/**
 * The settings window's pins, beside its mutes: the same preference the thread header's Pin
 * toggle changes, so each window follows the other. At the limit the unpinned boxes are
 * disabled, with the reason next to them, rather than offered and refused. A pin whose
 * conversation is no longer in the list (its removal was never heard of, e.g. across a resync)
 * is listed too, so that its slot can be freed: nothing else shows it.
 */
export function PinnedSection() {
  const order = useConversations((s) => s.order)
  const byId = useConversations((s) => s.byId)
  const loaded = useConversations((s) => s.loaded)
  const me = useSession((s) => s.session?.user?.id ?? null)
  const pinned = usePreferences((s) => s.prefs.pinned_conversation_ids)
  const update = usePreferences((s) => s.update)
  const id = useId()
  const full = pinned.length >= MAX_PINNED_CONVERSATIONS
  // Only once the list is loaded: before that every pin would look gone.
  const gone = loaded ? pinned.filter((cid) => !(cid in byId)) : []
  function toggle(cid: number, on: boolean) {
    // A new pin goes last, as from the thread header.
    const next = on ? [...pinned.filter((x) => x !== cid), cid] : pinned.filter((x) => x !== cid)
    void update({ pinned_conversation_ids: next })
  }
  return (
    <section className="card" aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>
        <FormattedMessage id="settings.pinned.title" defaultMessage="Pinned conversations" />
      </h2>
      <p id={`${id}-hint`} className="muted small" data-testid="pin-limit-hint">
        {full ? (
          <FormattedMessage
            id="settings.pinned.hintFull"
            defaultMessage="Pinned conversations stay at the top of the list, in the order pinned. At most {max}: unpin one to pin another."
            values={{ max: MAX_PINNED_CONVERSATIONS }}
          />
        ) : (
          <FormattedMessage
            id="settings.pinned.hint"
            defaultMessage="Pinned conversations stay at the top of the list, in the order pinned. At most {max}."
            values={{ max: MAX_PINNED_CONVERSATIONS }}
          />
        )}
      </p>
      {order.length === 0 && gone.length === 0 ? (
        <p className="muted small">
          <FormattedMessage id="settings.conversations.none" defaultMessage="No conversations." />
        </p>
      ) : (
        <ul className="mute-list" data-testid="pin-list">
          {order.map((cid) => {
            const c = byId[cid]
            if (!c) return null
            const checked = pinned.includes(cid)
            return (
              <li key={cid}>
                <label className="check">
                  <input
                    type="checkbox"
                    data-testid="pin-checkbox"
                    data-conversation-id={cid}
                    checked={checked}
                    disabled={full && !checked}
                    aria-describedby={`${id}-hint`}
                    onChange={(e) => toggle(cid, e.target.checked)}
                  />
                  <FormattedMessage
                    id="settings.pinned.conversation"
                    defaultMessage="Pin {title}"
                    values={{ title: <bdi>{conversationTitle(c, me)}</bdi> }}
                  />
                </label>
              </li>
            )
          })}
          {gone.map((cid) => (
            <li key={`gone-${cid}`}>
              <label className="check">
                <input
                  type="checkbox"
                  data-testid="pin-checkbox-gone"
                  data-conversation-id={cid}
                  checked
                  aria-describedby={`${id}-hint`}
                  onChange={() => toggle(cid, false)}
                />
                <FormattedMessage
                  id="settings.pinned.gone"
                  defaultMessage="Pin a conversation you are no longer in"
                />
              </label>
            </li>
          ))}
        </ul>
      )}
    </section>
  )
}
