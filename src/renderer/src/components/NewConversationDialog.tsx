import { useEffect, useId, useRef, useState, type FormEvent } from 'react'
import { openConversation } from '../stores/actions'
import { useConversations } from '../stores/conversations'
import { usePresence } from '../stores/presence'
import { useSession } from '../stores/session'

/** Choose people for a direct (one person) or group conversation, with an optional title. */
export function NewConversationDialog({ onClose }: { onClose: () => void }) {
  const ref = useRef<HTMLDialogElement>(null)
  const people = usePresence((s) => s.people)
  const me = useSession((s) => s.session?.user?.id ?? null)
  const create = useConversations((s) => s.create)
  const error = useConversations((s) => s.error)
  const [selected, setSelected] = useState<number[]>([])
  const [filter, setFilter] = useState('')
  const [title, setTitle] = useState('')
  const [busy, setBusy] = useState(false)
  const id = useId()

  useEffect(() => {
    const dialog = ref.current
    if (dialog && !dialog.open) dialog.showModal()
    void usePresence.getState().load()
    return () => dialog?.close()
  }, [])

  const candidates = Object.values(people)
    .filter((p) => p.id !== me)
    .filter((p) => {
      const q = filter.trim().toLowerCase()
      return !q || p.display_name.toLowerCase().includes(q) || p.username.toLowerCase().includes(q)
    })
    .sort((a, b) => a.display_name.localeCompare(b.display_name))

  function toggle(userId: number) {
    setSelected((s) => (s.includes(userId) ? s.filter((x) => x !== userId) : [...s, userId]))
  }

  async function submit(e: FormEvent) {
    e.preventDefault()
    if (selected.length === 0) return
    setBusy(true)
    const conversation = await create(selected, selected.length > 1 ? title : undefined)
    setBusy(false)
    if (conversation) {
      onClose()
      void openConversation(conversation.id)
    }
  }

  return (
    <dialog
      ref={ref}
      className="dialog"
      aria-labelledby={`${id}-title`}
      data-testid="new-conversation-dialog"
      onCancel={(e) => {
        e.preventDefault()
        onClose()
      }}
    >
      <form onSubmit={(e) => void submit(e)}>
        <h2 id={`${id}-title`}>New conversation</h2>
        <label htmlFor={`${id}-filter`}>Find people</label>
        <input
          id={`${id}-filter`}
          type="search"
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
          placeholder="Name or username"
        />
        <fieldset className="people-picker">
          <legend>People</legend>
          {candidates.length === 0 && <p className="muted">Nobody to add.</p>}
          {candidates.map((p) => (
            <label key={p.id} className="people-picker__row" data-testid="person-option">
              <input
                type="checkbox"
                checked={selected.includes(p.id)}
                onChange={() => toggle(p.id)}
              />
              <span
                className={`presence-dot presence-dot--inline presence-dot--${p.online ? 'online' : 'offline'}`}
                aria-hidden="true"
              />
              <span>
                {p.display_name} <span className="muted">@{p.username}</span>
                <span className="visually-hidden">{p.online ? ' (online)' : ' (offline)'}</span>
              </span>
            </label>
          ))}
        </fieldset>
        {selected.length > 1 && (
          <>
            <label htmlFor={`${id}-name`}>Group title (optional)</label>
            <input
              id={`${id}-name`}
              value={title}
              maxLength={128}
              onChange={(e) => setTitle(e.target.value)}
            />
          </>
        )}
        <p className="muted small" aria-live="polite">
          {selected.length === 0
            ? 'Choose one person for a direct conversation, or several for a group.'
            : selected.length === 1
              ? 'Direct conversation'
              : `Group of ${selected.length + 1}`}
        </p>
        {error && (
          <p className="form-error" role="alert">
            {error}
          </p>
        )}
        <div className="dialog__actions">
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          <button
            type="submit"
            className="button button--primary"
            disabled={busy || selected.length === 0}
            data-testid="create-conversation"
          >
            Create
          </button>
        </div>
      </form>
    </dialog>
  )
}
