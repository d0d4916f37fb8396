import { useEffect, useId, useState, type FormEvent } from 'react'
import { FormattedMessage, useIntl, type MessageDescriptor } from 'react-intl'
import { defineMessages } from '../../../shared/i18n/defineMessages'
import type {
  DoNotDisturb,
  NotificationPrivacy,
  ThemePreference,
} from '../../../shared/preferences'
import { formatTimestamp, instantToZonedLocal, zonedLocalToInstant } from '../../../shared/time'
import { useTimeSettings } from '../hooks'
import { initSettingsWindow } from '../actions/windowWiring'
import { useBranding } from '../stores/branding'
import { conversationTitle, useConversations } from '../stores/conversations'
import { usePreferences } from '../stores/preferences'
import { useSession } from '../stores/session'
import { useUpdates } from '../stores/updates'
import { AccountsSection } from './AccountsSection'
import { DataExportSection } from './DataExportSection'
import { AuditLogSection } from './AuditLogSection'
import { InvitesSection } from './InvitesSection'
import { LanguageSection } from './LanguageSection'
import { PasswordSection } from './PasswordSection'
import { PeopleSection } from './PeopleSection'
import { PinnedSection } from './PinnedSection'
import { RetentionSection } from './RetentionSection'
import { ServerManager } from './ServerManager'
import { TimezonePicker } from './TimezonePicker'
import { UpdatesSection } from './UpdatesSection'

/**
 * The settings window: organization timezone, clock, appearance, notifications, mutes, DND,
 * connected accounts, password and other devices, the user's data export, servers, updates; for
 * an administrator, message retention and the admin console's people, invites and audit log.
 * What belongs to a server (time zone, mutes, pins, accounts, password, data, the admin console)
 * is the server the main window shows.
 */
export function SettingsApp() {
  useEffect(() => initSettingsWindow(), [])
  const error = usePreferences((s) => s.error)
  const isAdmin = useSession((s) => s.session?.user?.role === 'admin')
  return (
    <div className="settings">
      <header className="settings__header">
        <h1>
          <FormattedMessage id="settings.title" defaultMessage="Settings" />
        </h1>
      </header>
      <main className="settings__main">
        {error && (
          <p className="form-error" role="alert">
            {error}
          </p>
        )}
        <LanguageSection />
        <TimezoneSection />
        <ClockSection />
        <AppearanceSection />
        <NotificationSection />
        <MuteSection />
        <PinnedSection />
        <DndSection />
        <AccountsSection />
        <PasswordSection />
        <DataExportSection />
        <RetentionSection />
        <ServersSection />
        <UpdatesSettings />
        {isAdmin && <PeopleSection />}
        {isAdmin && <InvitesSection />}
        {isAdmin && <AuditLogSection />}
      </main>
    </div>
  )
}

function TimezoneSection() {
  const branding = useBranding((s) => s.branding)
  const saving = useBranding((s) => s.saving)
  const error = useBranding((s) => s.error)
  const save = useBranding((s) => s.save)
  const isAdmin = useSession((s) => s.session?.user?.role === 'admin')
  const { clock, locale } = useTimeSettings()
  const [draft, setDraft] = useState<string | null>(null)
  const [saved, setSaved] = useState(false)
  const chosen = draft ?? branding.timezone
  const id = useId()
  async function submit(e: FormEvent) {
    e.preventDefault()
    setSaved(false)
    if (await save(chosen)) {
      setDraft(null)
      setSaved(true)
    }
  }
  return (
    <section className="card" aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>
        <FormattedMessage id="settings.timezone.title" defaultMessage="Organization time zone" />
      </h2>
      <p className="muted small">
        {isAdmin ? (
          <FormattedMessage
            id="settings.timezone.hint"
            defaultMessage="Every time in Tidings is shown in this zone."
          />
        ) : (
          <FormattedMessage
            id="settings.timezone.hintMember"
            defaultMessage="Every time in Tidings is shown in this zone. Only an administrator can change it."
          />
        )}
      </p>
      <form onSubmit={(e) => void submit(e)}>
        <TimezonePicker
          value={chosen}
          disabled={!isAdmin}
          clock={clock}
          locale={locale}
          onChange={(zone) => {
            setSaved(false)
            setDraft(zone)
          }}
        />
        {isAdmin && (
          <div className="row">
            <button
              type="submit"
              className="button button--primary"
              disabled={saving || chosen === branding.timezone}
              data-testid="timezone-save"
            >
              <FormattedMessage id="settings.timezone.save" defaultMessage="Save time zone" />
            </button>
            <span role="status" className="small">
              {saved ? <FormattedMessage id="settings.saved" defaultMessage="Saved." /> : ''}
            </span>
          </div>
        )}
        {error && (
          <p className="form-error" role="alert">
            {error}
          </p>
        )}
      </form>
    </section>
  )
}

function ClockSection() {
  const clock = usePreferences((s) => s.prefs.clock)
  const update = usePreferences((s) => s.update)
  const id = useId()
  return (
    <section className="card" aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>
        <FormattedMessage id="settings.clock.title" defaultMessage="Clock" />
      </h2>
      <fieldset className="radios" data-testid="clock-setting">
        <legend className="visually-hidden">
          <FormattedMessage id="settings.clock.legend" defaultMessage="Clock style" />
        </legend>
        {(['12h', '24h'] as const).map((style) => (
          <label key={style}>
            <input
              type="radio"
              name="clock"
              value={style}
              checked={clock === style}
              onChange={() => void update({ clock: style })}
            />
            {style === '12h' ? (
              <FormattedMessage id="settings.clock.12h" defaultMessage="12-hour (2:30 PM)" />
            ) : (
              <FormattedMessage id="settings.clock.24h" defaultMessage="24-hour (14:30)" />
            )}
          </label>
        ))}
      </fieldset>
    </section>
  )
}

const themeMessages = defineMessages({
  system: {
    id: 'settings.appearance.system',
    defaultMessage: 'System (follow the operating system)',
  },
  light: { id: 'settings.appearance.light', defaultMessage: 'Light' },
  dark: { id: 'settings.appearance.dark', defaultMessage: 'Dark' },
})

const THEMES: { value: ThemePreference; label: MessageDescriptor }[] = [
  { value: 'system', label: themeMessages.system },
  { value: 'light', label: themeMessages.light },
  { value: 'dark', label: themeMessages.dark },
]

function AppearanceSection() {
  const theme = usePreferences((s) => s.prefs.theme)
  const update = usePreferences((s) => s.update)
  const id = useId()
  return (
    <section className="card" aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>
        <FormattedMessage id="settings.appearance.title" defaultMessage="Appearance" />
      </h2>
      <fieldset className="radios" data-testid="theme-setting">
        <legend className="visually-hidden">
          <FormattedMessage id="settings.appearance.legend" defaultMessage="Theme" />
        </legend>
        {THEMES.map(({ value, label }) => (
          <label key={value}>
            <input
              type="radio"
              name="theme"
              value={value}
              checked={theme === value}
              onChange={() => void update({ theme: value })}
            />
            <FormattedMessage {...label} />
          </label>
        ))}
      </fieldset>
    </section>
  )
}

function NotificationSection() {
  const prefs = usePreferences((s) => s.prefs)
  const update = usePreferences((s) => s.update)
  const intl = useIntl()
  const id = useId()
  return (
    <section className="card" aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>
        <FormattedMessage id="settings.notifications.title" defaultMessage="Notifications" />
      </h2>
      <label className="check">
        <input
          type="checkbox"
          data-testid="notifications-enabled"
          checked={prefs.notifications_enabled}
          onChange={(e) => void update({ notifications_enabled: e.target.checked })}
        />
        <FormattedMessage
          id="settings.notifications.enabled"
          defaultMessage="Show desktop notifications"
        />
      </label>
      <label className="check">
        <input
          type="checkbox"
          data-testid="notification-sound"
          checked={prefs.notification_sound}
          onChange={(e) => void update({ notification_sound: e.target.checked })}
        />
        <FormattedMessage id="settings.notifications.sound" defaultMessage="Play a sound" />
      </label>
      <label htmlFor={`${id}-privacy`}>
        <FormattedMessage
          id="settings.notifications.privacy"
          defaultMessage="What notifications show"
        />
      </label>
      <select
        id={`${id}-privacy`}
        data-testid="notification-privacy"
        value={prefs.notification_privacy}
        onChange={(e) =>
          void update({ notification_privacy: e.target.value as NotificationPrivacy })
        }
      >
        <option value="full">
          {intl.formatMessage({
            id: 'settings.notifications.privacy.full',
            defaultMessage: 'Sender and message',
          })}
        </option>
        <option value="sender_only">
          {intl.formatMessage({
            id: 'settings.notifications.privacy.senderOnly',
            defaultMessage: 'Sender only',
          })}
        </option>
        <option value="hidden">
          {intl.formatMessage({
            id: 'settings.notifications.privacy.hidden',
            defaultMessage: 'Nothing (just “New message”)',
          })}
        </option>
      </select>
    </section>
  )
}

function MuteSection() {
  const order = useConversations((s) => s.order)
  const byId = useConversations((s) => s.byId)
  const me = useSession((s) => s.session?.user?.id ?? null)
  const muted = usePreferences((s) => s.prefs.muted_conversation_ids)
  const update = usePreferences((s) => s.update)
  const id = useId()
  function toggle(cid: number, on: boolean) {
    const next = on ? [...new Set([...muted, cid])] : muted.filter((x) => x !== cid)
    void update({ muted_conversation_ids: next })
  }
  return (
    <section className="card" aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>
        <FormattedMessage id="settings.muted.title" defaultMessage="Muted conversations" />
      </h2>
      {order.length === 0 ? (
        <p className="muted small">
          <FormattedMessage id="settings.conversations.none" defaultMessage="No conversations." />
        </p>
      ) : (
        <ul className="mute-list" data-testid="mute-list">
          {order.map((cid) => {
            const c = byId[cid]
            if (!c) return null
            return (
              <li key={cid}>
                <label className="check">
                  <input
                    type="checkbox"
                    data-testid="mute-checkbox"
                    data-conversation-id={cid}
                    checked={muted.includes(cid)}
                    onChange={(e) => toggle(cid, e.target.checked)}
                  />
                  <FormattedMessage
                    id="settings.muted.conversation"
                    defaultMessage="Mute {title}"
                    values={{ title: <bdi>{conversationTitle(c, me)}</bdi> }}
                  />
                </label>
              </li>
            )
          })}
        </ul>
      )}
    </section>
  )
}

function DndSection() {
  const dnd = usePreferences((s) => s.prefs.dnd)
  const update = usePreferences((s) => s.update)
  const { zone } = useTimeSettings()
  const intl = useIntl()
  const id = useId()
  const set = (change: Partial<DoNotDisturb>) => void update({ dnd: { ...dnd, ...change } })
  const zoneName = <span translate="no">{zone.replace(/_/g, ' ')}</span>
  return (
    <section className="card" aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>
        <FormattedMessage id="settings.dnd.title" defaultMessage="Do not disturb" />
      </h2>
      <label htmlFor={`${id}-mode`}>
        <FormattedMessage id="settings.dnd.mode" defaultMessage="Mode" />
      </label>
      <select
        id={`${id}-mode`}
        data-testid="dnd-mode"
        value={dnd.mode}
        onChange={(e) => {
          const mode = e.target.value as DoNotDisturb['mode']
          if (mode === 'until' && !dnd.until) {
            set({ mode, until: new Date(Date.now() + 3600_000).toISOString() })
          } else {
            set({ mode })
          }
        }}
      >
        <option value="off">
          {intl.formatMessage({ id: 'settings.dnd.off', defaultMessage: 'Off' })}
        </option>
        <option value="on">
          {intl.formatMessage({ id: 'settings.dnd.on', defaultMessage: 'On until I turn it off' })}
        </option>
        <option value="until">
          {intl.formatMessage({ id: 'settings.dnd.until', defaultMessage: 'On until a time' })}
        </option>
        <option value="schedule">
          {intl.formatMessage({
            id: 'settings.dnd.schedule',
            defaultMessage: 'Every day on a schedule',
          })}
        </option>
      </select>
      {dnd.mode === 'until' && (
        <>
          <label htmlFor={`${id}-until`}>
            <FormattedMessage
              id="settings.dnd.untilLabel"
              defaultMessage="Until ({zone})"
              values={{ zone: zoneName }}
            />
          </label>
          <input
            id={`${id}-until`}
            type="datetime-local"
            data-testid="dnd-until"
            value={dnd.until ? instantToZonedLocal(dnd.until, zone) : ''}
            onChange={(e) => {
              const until = zonedLocalToInstant(e.target.value, zone)
              if (until) set({ until })
            }}
          />
        </>
      )}
      {dnd.mode === 'schedule' && (
        <div className="row">
          <span>
            <label htmlFor={`${id}-start`}>
              <FormattedMessage id="settings.dnd.from" defaultMessage="From" />
            </label>
            <input
              id={`${id}-start`}
              type="time"
              data-testid="dnd-start"
              value={dnd.schedule_start}
              onChange={(e) => e.target.value && set({ schedule_start: e.target.value })}
            />
          </span>
          <span>
            <label htmlFor={`${id}-end`}>
              <FormattedMessage id="settings.dnd.to" defaultMessage="To" />
            </label>
            <input
              id={`${id}-end`}
              type="time"
              data-testid="dnd-end"
              value={dnd.schedule_end}
              onChange={(e) => e.target.value && set({ schedule_end: e.target.value })}
            />
          </span>
          <span className="muted small">
            <FormattedMessage
              id="settings.dnd.timesIn"
              defaultMessage="Times in {zone}"
              values={{ zone: zoneName }}
            />
          </span>
        </div>
      )}
    </section>
  )
}

function ServersSection() {
  const secureStorage = useSession((s) => s.session?.secure_storage)
  const unencryptedSignIn = usePreferences((s) => s.prefs.unencrypted_sign_in)
  const loaded = usePreferences((s) => s.loaded)
  const update = usePreferences((s) => s.update)
  const id = useId()
  return (
    <section className="card" aria-labelledby={`${id}-h`} data-testid="servers-section">
      <h2 id={`${id}-h`}>
        <FormattedMessage id="settings.servers.title" defaultMessage="Servers" />
      </h2>
      <p className="muted small">
        <FormattedMessage
          id="settings.servers.intro"
          defaultMessage="Tidings stays signed in to every server listed: their messages, unread counts and notifications arrive while the main window shows another one."
        />
      </p>
      <ServerManager headingId={`${id}-h`} />
      {secureStorage === false && (
        <>
          <p className="muted small" role="note" data-testid="insecure-storage">
            <FormattedMessage
              id="settings.servers.insecureStorage"
              defaultMessage="This system offers no keyring to encrypt your sign-ins with, so Tidings does not keep them: you sign in again to each server each time Tidings starts."
            />
          </p>
          <label className="check">
            <input
              type="checkbox"
              data-testid="unencrypted-sign-in"
              checked={unencryptedSignIn}
              disabled={!loaded}
              onChange={(e) => void update({ unencrypted_sign_in: e.target.checked })}
            />
            <FormattedMessage
              id="settings.servers.unencryptedSignIn"
              defaultMessage="Stay signed in anyway. Warning: your sign-ins are then kept unencrypted in Tidings’ profile folder, where anyone who can read your files can use your accounts."
            />
          </label>
        </>
      )}
    </section>
  )
}

function UpdatesSettings() {
  const state = useUpdates((s) => s.state)
  const userEnabled = usePreferences((s) => s.prefs.auto_update)
  const update = usePreferences((s) => s.update)
  const { zone, clock } = useTimeSettings()
  return (
    <UpdatesSection
      state={state}
      userEnabled={userEnabled}
      onChange={(enabled) => void update({ auto_update: enabled })}
      formatTime={(iso) => formatTimestamp(iso, zone, { format: 'time', clock })}
    />
  )
}
