import { useEffect, useId, useState, type FormEvent } from 'react'
import { FormattedMessage, useIntl } from 'react-intl'
import { openConversation } from '../actions/navigation'
import { useConversations } from '../stores/conversations'
import { usePresence } from '../stores/presence'
import { useSession } from '../stores/session'
import { ModalDialog } from './ModalDialog'
import { PeoplePicker, toggled } from './PeoplePicker'

/** Choose people for a direct (one person) or group conversation, with an optional title. */
export function NewConversationDialog({ onClose }: { onClose: () => void }) {
  const people = usePresence((s) => s.people)
  const me = useSession((s) => s.session?.user?.id ?? null)
  const create = useConversations((s) => s.create)
  const error = useConversations((s) => s.error)
  const [selected, setSelected] = useState<number[]>([])
  const [filter, setFilter] = useState('')
  const [title, setTitle] = useState('')
  const [busy, setBusy] = useState(false)
  const intl = useIntl()
  const id = useId()

  useEffect(() => {
    void usePresence.getState().load()
  }, [])

  // A deactivated account keeps its name in history but is no one to start a conversation with.
  const candidates = Object.values(people).filter((p) => p.id !== me && !p.deactivated)

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
    <ModalDialog labelledBy={`${id}-title`} testId="new-conversation-dialog" onClose={onClose}>
      <form onSubmit={(e) => void submit(e)}>
        <h2 id={`${id}-title`}>
          <FormattedMessage id="newConversation.title" defaultMessage="New conversation" />
        </h2>
        <PeoplePicker
          inputId={`${id}-filter`}
          label={intl.formatMessage({ id: 'newConversation.find', defaultMessage: 'Find people' })}
          legend={intl.formatMessage({ id: 'newConversation.people', defaultMessage: 'People' })}
          people={candidates}
          filter={filter}
          onFilterChange={setFilter}
          selected={selected}
          onToggle={(userId) => setSelected((s) => toggled(s, userId))}
          emptyText={intl.formatMessage({
            id: 'newConversation.empty',
            defaultMessage: 'Nobody to add.',
          })}
          optionTestId="person-option"
        />
        {selected.length > 1 && (
          <>
            <label htmlFor={`${id}-name`}>
              <FormattedMessage
                id="newConversation.groupTitle"
                defaultMessage="Group title (optional)"
              />
            </label>
            <input
              id={`${id}-name`}
              dir="auto"
              value={title}
              maxLength={128}
              onChange={(e) => setTitle(e.target.value)}
            />
          </>
        )}
        <p className="muted small" aria-live="polite">
          {selected.length === 0 ? (
            <FormattedMessage
              id="newConversation.hint"
              defaultMessage="Choose one person for a direct conversation, or several for a group."
            />
          ) : selected.length === 1 ? (
            <FormattedMessage id="newConversation.direct" defaultMessage="Direct conversation" />
          ) : (
            <FormattedMessage
              id="newConversation.group"
              defaultMessage="Group of {count, number}"
              values={{ count: selected.length + 1 }}
            />
          )}
        </p>
        {error && (
          <p className="form-error" role="alert">
            {error}
          </p>
        )}
        <div className="dialog__actions">
          <button type="button" className="button" onClick={onClose}>
            <FormattedMessage id="newConversation.cancel" defaultMessage="Cancel" />
          </button>
          <button
            type="submit"
            className="button button--primary"
            disabled={busy || selected.length === 0}
            data-testid="create-conversation"
          >
            <FormattedMessage id="newConversation.create" defaultMessage="Create" />
          </button>
        </div>
      </form>
    </ModalDialog>
  )
}
