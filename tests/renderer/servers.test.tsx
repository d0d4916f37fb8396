import { beforeEach, describe, expect, it } from 'vitest'
import type { ServerList, ServerSummary, SessionState } from '../../src/shared/ipc'
import { DEFAULT_PREFERENCES } from '../../src/shared/preferences'
import { applySession, resetUserData } from '../../src/renderer/src/actions/userData'
import { initMainWindow, initSettingsWindow } from '../../src/renderer/src/actions/windowWiring'
import { prefillForServer } from '../../src/renderer/src/components/LoginView'
import {
  ServerManagerView,
  type ServerManagerViewProps,
} from '../../src/renderer/src/components/ServerManager'
import { ServerRailView, serverForShortcut } from '../../src/renderer/src/components/ServerRail'
import { useConversations } from '../../src/renderer/src/stores/conversations'
import { serverAddress, serverInitials, useServers } from '../../src/renderer/src/stores/servers'
import { useSession } from '../../src/renderer/src/stores/session'
import { useUpdates } from '../../src/renderer/src/stores/updates'
import {
  JANE,
  SESSION,
  conversation,
  installFakeTidings,
  until,
  type FakeTidings,
} from './fakeTidings'
import { EN, renderWithIntl } from './intl'

let fake: FakeTidings

beforeEach(() => {
  fake = installFakeTidings()
  ;(globalThis as { navigator?: unknown }).navigator ??= { platform: 'Linux x86_64' }
  useSession.setState({ session: null, busy: false, error: null })
  useServers.setState({ list: null, adding: false, removing: null, error: null })
  useSession.setState({ linkPrefill: null })
  resetUserData()
})

function server(overrides: Partial<ServerSummary> = {}): ServerSummary {
  return {
    id: 'bundled',
    url: null,
    name: 'Tidings',
    unread: 0,
    signed_in: true,
    status: 'connected',
    ...overrides,
  }
}

const ACME = server({ id: 's-acme', url: 'https://chat.acme.example', name: 'Acme', unread: 3 })
const TWO: ServerList = {
  servers: [server(), ACME],
  active_id: 'bundled',
  can_change: true,
  can_add_bundled: false,
}

describe('the server list as shown', () => {
  it('says where each server is, and gives it two letters', () => {
    expect(serverAddress(server(), EN)).toBe('Built-in server on this computer')
    expect(serverAddress(ACME, EN)).toBe('chat.acme.example')
    expect(serverAddress(server({ url: 'https://example.org/team/' }), EN)).toBe(
      'example.org/team/',
    )
    expect(serverInitials(ACME, TWO.servers, EN)).toBe('AC')
    expect(serverInitials(server({ name: 'Blue Moon' }), [], EN)).toBe('BM')
    // Two servers keeping the default name are told apart by their addresses.
    const other = server({ id: 's-2', url: 'https://www.team.example', name: 'Tidings' })
    expect(serverInitials(other, [server(), other], EN)).toBe('TE')
  })

  it('the rail: a button per server, the shown one current, unread counts in the names', () => {
    const html = renderWithIntl(
      <ServerRailView list={TWO} mac={false} onShow={() => {}} onManage={() => {}} />,
    )
    expect(html).toContain('aria-label="Servers"')
    expect(html).toMatch(
      /aria-current="true"[^>]*data-server-id|data-server-id="bundled"[^>]*aria-current="true"/,
    )
    expect(html).toContain(
      '<span class="visually-hidden">Acme (chat.acme.example), 3 unread</span>',
    )
    expect(html).toContain('aria-keyshortcuts="Control+2"')
    expect(html).toContain('<span class="visually-hidden">Add or remove servers</span>')
  })

  it('Ctrl+digit (⌘ on macOS) names a server by its place in the rail', () => {
    const key = (k: string, mods: Partial<KeyboardEvent> = {}) => ({
      key: k,
      ctrlKey: false,
      metaKey: false,
      altKey: false,
      shiftKey: false,
      ...mods,
    })
    expect(serverForShortcut(key('2', { ctrlKey: true }), false)).toBe(1)
    expect(serverForShortcut(key('2', { metaKey: true }), true)).toBe(1)
    expect(serverForShortcut(key('2', { ctrlKey: true }), true)).toBeNull()
    expect(serverForShortcut(key('0', { ctrlKey: true }), false)).toBeNull()
    expect(serverForShortcut(key('1', { ctrlKey: true, shiftKey: true }), false)).toBeNull()
    expect(serverForShortcut(key('1'), false)).toBeNull()
  })

  it('the manager: every server removable but the last; none when fixed on the command line', () => {
    const view = (list: ServerList) =>
      renderWithIntl(<ServerManagerView {...managerProps} list={list} />)
    let html = view(TWO)
    expect(html.match(/data-testid="server-remove"/g)).toHaveLength(2)
    expect(html).toContain('Shown')
    expect(html).toContain('3 unread')
    expect(html).toContain('data-testid="server-add-form"')
    expect(html).not.toContain('server-add-bundled')

    html = view({ ...TWO, servers: [ACME], active_id: ACME.id, can_add_bundled: true })
    expect(html).not.toContain('data-testid="server-remove"')
    expect(html).toContain('Use the built-in server too')

    html = view({ servers: [ACME], active_id: ACME.id, can_change: false, can_add_bundled: false })
    expect(html).not.toContain('server-add-form')
    expect(html).toContain('--server-url or TIDINGS_SERVER_URL')
  })
})

const managerProps: ServerManagerViewProps = {
  list: TWO,
  error: null,
  adding: false,
  removing: null,
  onAdd: async () => true,
  onRemove: async () => true,
  onEdit: () => {},
}

describe('switching servers in the window', () => {
  const ON_ACME: SessionState = {
    ...SESSION,
    server_url: 'https://chat.acme.example',
    embedded: false,
  }

  it('another server’s user is another user, even with the same id: the window reloads', async () => {
    let listed = [conversation(10, [JANE])]
    Object.assign(fake.handlers, {
      'conversations/list': () => listed,
      'users/list': () => [],
      'drafts/list': () => [],
      'outbox/list': () => [],
    })
    await applySession(SESSION)
    expect(useConversations.getState().order).toEqual([10])
    listed = [conversation(20, [JANE])]
    await applySession(ON_ACME)
    expect(useConversations.getState().order).toEqual([20])
    expect(fake.callsTo('conversations/list')).toHaveLength(2)
  })

  it('the main window follows the list, the updater and invites', async () => {
    Object.assign(fake.handlers, {
      'session/get': () => ({ ...ON_ACME, user: null }),
      'connection/get': () => ({
        status: 'signed_out',
        next_attempt_at: null,
        attempt: 0,
        last_error: null,
      }),
      'branding/get': () => ({ timezone: 'UTC', organization_name: 'Acme' }),
      'settings/get': () => DEFAULT_PREFERENCES,
      'servers/list': () => TWO,
      'updates/get': () => ({ status: 'idle', checked_at: null }),
    })
    const stop = initMainWindow()
    await until(() => useServers.getState().list !== null)
    fake.push('servers/changed', { ...TWO, active_id: ACME.id })
    expect(useServers.getState().list?.active_id).toBe(ACME.id)
    fake.push('updates/state', { status: 'ready', version: '1.2.0' })
    expect(useUpdates.getState().state).toEqual({ status: 'ready', version: '1.2.0' })
    const prefill = { form: 'register' as const, server_url: ON_ACME.server_url, code: 'c0de' }
    fake.push('links/prefill', prefill)
    expect(useSession.getState().linkPrefill).toEqual(prefill)
    stop()
  })

  it('the settings window replaces, not merges, another server’s conversations', async () => {
    let listed = [conversation(10, [JANE])]
    Object.assign(fake.handlers, {
      'session/get': () => SESSION,
      'branding/get': () => ({ timezone: 'UTC', organization_name: 'Tidings' }),
      'settings/get': () => DEFAULT_PREFERENCES,
      'conversations/list': () => listed,
      'servers/list': () => TWO,
      'updates/get': () => ({ status: 'idle', checked_at: null }),
    })
    const stop = initSettingsWindow()
    await until(() => useConversations.getState().order.length === 1)
    listed = [conversation(20, [JANE])]
    fake.push('session/changed', ON_ACME)
    await until(() => useConversations.getState().order[0] === 20)
    expect(useConversations.getState().order).toEqual([20])
    stop()
  })

  it('the signed-out view fills in a link’s form for the server shown, and only that one', () => {
    const invite = { form: 'register' as const, server_url: ON_ACME.server_url, code: 'c0de' }
    expect(prefillForServer(invite, { ...ON_ACME, user: null })).toBe(invite)
    expect(prefillForServer({ ...invite, server_url: 'https://elsewhere.example' }, ON_ACME)).toBe(
      null,
    )
    expect(prefillForServer(invite, { ...SESSION, server_url: invite.server_url })).toBeNull()
    expect(prefillForServer(invite, null)).toBeNull()
    expect(prefillForServer(null, ON_ACME)).toBeNull()
  })
})
