import { describe, expect, it } from 'vitest'
import { Value } from 'typebox/value'
import {
  INVOKES,
  INVOKE_CHANNELS,
  PAGE_CHANNELS,
  isAppChannel,
  isInvokeChannel,
  isWindowChannel,
  rendererPageOfPath,
  type InvokeChannel,
} from '../../src/shared/ipc'

/**
 * The IPC table (src/shared/ipc.ts) is where a channel is declared once; main's allow-list and the
 * preload's API follow from it. Which page may call what is a security decision, so it is pinned
 * here by name: a change to it shows in this file's diff.
 */

/** The channels answered for the whole app, whatever server the windows show. */
const APP_CHANNELS: InvokeChannel[] = [
  'servers/list',
  'servers/activate',
  'servers/add',
  'servers/remove',
  'updates/get',
  'updates/restart',
]

/** What the main window's page calls (traced from main.tsx through the stores). */
const MAIN_WINDOW_CHANNELS: InvokeChannel[] = [
  'session/get',
  'session/register',
  'session/login',
  'session/logout',
  'session/resetPassword',
  'links/takePrefill',
  'connection/get',
  'users/list',
  'conversations/list',
  'conversations/create',
  'conversations/rename',
  'conversations/addMembers',
  'conversations/removeMember',
  'conversations/focus',
  'conversations/setMuted',
  'conversations/setPinned',
  'emoji/used',
  'emoji/setSkinTone',
  'messages/history',
  'messages/search',
  'messages/send',
  'messages/retry',
  'messages/edit',
  'messages/delete',
  'messages/react',
  'messages/markRead',
  'outbox/list',
  'attachments/upload',
  'attachments/read',
  'attachments/save',
  'previews/image',
  'previews/remove',
  'drafts/list',
  'drafts/set',
  'threads/get',
  'threads/list',
  'threads/follow',
  'threads/markRead',
  'typing/set',
  'branding/get',
  'admin/createInvite',
  'settings/get',
  'locale/get',
  'window/openSettings',
  ...APP_CHANNELS,
]

/** What the settings window's page calls. */
const SETTINGS_CHANNELS: InvokeChannel[] = [
  'session/get',
  'conversations/list',
  'branding/get',
  'branding/set',
  'settings/get',
  'settings/set',
  'locale/get',
  'accounts/list',
  'accounts/connectEmail',
  'accounts/disconnect',
  'accounts/sync',
  'session/changePassword',
  'session/signOutOthers',
  'servers/list',
  'servers/add',
  'servers/remove',
  'updates/get',
  'session/exportData',
  'admin/getRetention',
  'admin/setRetention',
  'admin/createInvite',
  'admin/listInvites',
  'admin/revokeInvite',
  'admin/listUsers',
  'admin/setRole',
  'admin/deactivateUser',
  'admin/reactivateUser',
  'admin/signOutUser',
  'admin/resetPassword',
  'admin/listAudit',
  'admin/exportAudit',
]

describe('the IPC table', () => {
  it('opens each page exactly the channels its code calls', () => {
    expect([...PAGE_CHANNELS['index.html']].sort()).toEqual([...MAIN_WINDOW_CHANNELS].sort())
    expect([...PAGE_CHANNELS['settings.html']].sort()).toEqual([...SETTINGS_CHANNELS].sort())
    // Every channel is some page's: a channel no page may call would be dead code in main.
    const callable = new Set([...MAIN_WINDOW_CHANNELS, ...SETTINGS_CHANNELS])
    expect(INVOKE_CHANNELS.filter((c) => !callable.has(c))).toEqual([])
  })

  it('gives every channel a request schema that refuses what is not a request', () => {
    for (const channel of INVOKE_CHANNELS) {
      const schema = INVOKES[channel].request
      expect(Value.Check(schema, 'junk'), channel).toBe(false)
      expect(Value.Check(schema, 42), channel).toBe(false)
    }
  })

  it('names its channels, and marks those the Electron layer and the whole app answer', () => {
    expect(isInvokeChannel('messages/send')).toBe(true)
    expect(isInvokeChannel('toString')).toBe(false)
    expect(isInvokeChannel('messages/unknown')).toBe(false)
    expect(INVOKE_CHANNELS.filter(isWindowChannel)).toEqual(['window/openSettings'])
    // Whatever server the windows show: the list, the updater, an invite for the form.
    expect(INVOKE_CHANNELS.filter(isAppChannel)).toEqual(APP_CHANNELS)
  })

  it('tells a page by the last segment of its path', () => {
    expect(rendererPageOfPath('/index.html')).toBe('index.html')
    expect(rendererPageOfPath('/renderer/settings.html')).toBe('settings.html')
    expect(rendererPageOfPath('/')).toBeNull()
    expect(rendererPageOfPath('/settings.htm')).toBeNull()
    expect(rendererPageOfPath('')).toBeNull()
  })
})
