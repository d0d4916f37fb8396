import { beforeEach, describe, expect, it, vi } from 'vitest'
import { INVOKE_CHANNELS, PAGE_CHANNELS } from '../../../src/shared/ipc'
import type { InvokeChannel, InvokeResult } from '../../../src/shared/ipc'
import type { CoreApi } from '../../../src/main/core/coreHost'
import { UNTRUSTED_SENDER, toIpcError } from '../../../src/main/core/ipcRequests'
import { ownRendererPage } from '../../../src/main/electron/paths'
import { ipcMain, resetFakeElectron } from './fakeElectron'

vi.mock('electron', async () => (await import('./fakeElectron')).electronModule)

const { registerIpcHandlers } = await import('../../../src/main/electron/ipcHandlers')

const ownUrl = 'app://tidings/index.html'
const settingsUrl = 'app://tidings/settings.html'

/** The channels each page may call, from the IPC table (tests/shared/ipc.test.ts pins them). */
const MAIN_WINDOW_CHANNELS: InvokeChannel[] = [...PAGE_CHANNELS['index.html']]
const SETTINGS_CHANNELS: InvokeChannel[] = [...PAGE_CHANNELS['settings.html']]

/** A CoreApi through the seam: answers with the channel and request it received. */
function recordingCore() {
  const calls: { channel: InvokeChannel; request: unknown }[] = []
  const core: CoreApi = {
    handle: (async (channel: InvokeChannel, request: unknown) => {
      calls.push({ channel, request })
      if (channel === 'messages/edit') {
        throw Object.assign(new Error('Only the sender may edit'), { code: 'forbidden' })
      }
      if (channel === 'messages/delete') throw new Error('boom')
      return { echoed: channel }
    }) as CoreApi['handle'],
  }
  return { core, calls }
}

function setup() {
  const { core, calls } = recordingCore()
  const openSettings = vi.fn()
  const dispose = registerIpcHandlers({
    core,
    senderPage: (url) => ownRendererPage(url, { devServerUrl: null }),
    openSettings,
  })
  async function invoke(
    channel: string,
    request: unknown,
    senderFrame: { url: string } | null = { url: ownUrl },
  ): Promise<InvokeResult<unknown>> {
    const handler = ipcMain.handlers.get(channel)
    if (!handler) throw new Error(`no handler for ${channel}`)
    return (await handler({ senderFrame }, request)) as InvokeResult<unknown>
  }
  return { calls, openSettings, dispose, invoke }
}

beforeEach(() => resetFakeElectron())

describe('registerIpcHandlers', () => {
  it('registers exactly one handler per invoke channel', () => {
    setup()
    expect([...ipcMain.handlers.keys()].sort()).toEqual([...INVOKE_CHANNELS].sort())
    expect(ipcMain.handle).toHaveBeenCalledTimes(INVOKE_CHANNELS.length)
  })

  it('passes trusted calls to the core and wraps the result', async () => {
    const { invoke, calls } = setup()
    const request = { conversation_id: 7, text: 'hello' }
    expect(await invoke('messages/send', request)).toEqual({
      ok: true,
      data: { echoed: 'messages/send' },
    })
    expect(calls).toEqual([{ channel: 'messages/send', request }])
  })

  it('answers every channel a page may call from the core, but window/openSettings', async () => {
    const { invoke, calls, openSettings } = setup()
    for (const channel of INVOKE_CHANNELS) {
      const url = MAIN_WINDOW_CHANNELS.includes(channel) ? ownUrl : settingsUrl
      await invoke(channel, undefined, { url })
    }
    expect(calls.map((c) => c.channel)).toEqual(
      INVOKE_CHANNELS.filter(
        (c) =>
          c !== 'window/openSettings' &&
          (MAIN_WINDOW_CHANNELS.includes(c) || SETTINGS_CHANNELS.includes(c)),
      ),
    )
    expect(openSettings).toHaveBeenCalledTimes(1)
  })

  it('opens renaming, changing members, muting and pinning to the main window, not to the settings window', async () => {
    const { invoke, calls } = setup()
    const requests = [
      ['conversations/rename', { conversation_id: 1, title: 'x' }],
      ['conversations/addMembers', { conversation_id: 1, user_ids: [2] }],
      ['conversations/removeMember', { conversation_id: 1, user_id: 2 }],
      // The settings window mutes through settings/set; the main window through this alone.
      ['conversations/setMuted', { conversation_id: 1, muted: true }],
      // Pins too: a change of the pinned list and nothing else.
      ['conversations/setPinned', { conversation_id: 1, pinned: true }],
    ] as const
    for (const [channel, request] of requests) {
      const refused = await invoke(channel, request, { url: settingsUrl })
      expect(refused, channel).toMatchObject({ ok: false, error: { code: UNTRUSTED_SENDER } })
    }
    expect(calls).toEqual([])
    for (const [channel, request] of requests) {
      expect(await invoke(channel, request, { url: ownUrl }), channel).toEqual({
        ok: true,
        data: { echoed: channel },
      })
    }
    expect(calls.map((c) => c.channel)).toEqual(requests.map(([channel]) => channel))
  })

  it('opens composer drafts to the main window only', async () => {
    const { invoke, calls } = setup()
    const requests = [
      ['drafts/list', undefined],
      ['drafts/set', { conversation_id: 1, text: 'half a thought' }],
    ] as const
    for (const [channel, request] of requests) {
      const refused = await invoke(channel, request, { url: settingsUrl })
      expect(refused, channel).toMatchObject({ ok: false, error: { code: UNTRUSTED_SENDER } })
    }
    expect(calls).toEqual([])
    for (const [channel, request] of requests) {
      expect(await invoke(channel, request, { url: ownUrl }), channel).toEqual({
        ok: true,
        data: { echoed: channel },
      })
    }
    expect(calls).toEqual(requests.map(([channel, request]) => ({ channel, request })))
  })

  it('opens the settings window itself', async () => {
    const { invoke, openSettings, calls } = setup()
    expect(await invoke('window/openSettings', undefined)).toEqual({ ok: true, data: undefined })
    expect(openSettings).toHaveBeenCalledTimes(1)
    expect(calls).toEqual([])
  })

  it('checks the request of a channel it answers itself, as the core does its own', async () => {
    const { invoke, openSettings } = setup()
    expect(await invoke('window/openSettings', { open: 'file:///etc' })).toMatchObject({
      ok: false,
      error: { code: 'invalid_request' },
    })
    expect(openSettings).not.toHaveBeenCalled()
  })

  it('refuses calls from frames that are not our pages, without reaching the core', async () => {
    const { invoke, calls, openSettings } = setup()
    for (const frame of [
      { url: 'https://evil.example/' },
      { url: 'file:///tmp/other.html' },
      // The built pages' old file URLs, and app:// URLs that are not our pages.
      { url: 'file:///app/out/renderer/index.html' },
      { url: 'file:///app/out/renderer/settings.html' },
      { url: 'app://evil/index.html' },
      { url: 'app://tidings/other/index.html' },
      { url: 'about:blank' },
      null,
    ]) {
      const result = await invoke('session/login', { username: 'a', password: 'b' }, frame)
      expect(result).toMatchObject({ ok: false, error: { code: UNTRUSTED_SENDER } })
      expect(await invoke('window/openSettings', undefined, frame)).toMatchObject({ ok: false })
    }
    expect(calls).toEqual([])
    expect(openSettings).not.toHaveBeenCalled()
  })

  it('accepts the main window only on the channels the main page uses', async () => {
    const { invoke, calls, openSettings } = setup()
    for (const channel of INVOKE_CHANNELS) {
      const result = await invoke(channel, undefined, { url: `${ownUrl}#/conversations/3` })
      if (MAIN_WINDOW_CHANNELS.includes(channel)) {
        // Reaches the core (whose edit and delete fail on their own, see recordingCore).
        expect(result, channel).not.toMatchObject({ error: { code: UNTRUSTED_SENDER } })
      } else {
        expect(result, channel).toMatchObject({ ok: false, error: { code: UNTRUSTED_SENDER } })
      }
    }
    expect(calls.map((c) => c.channel)).toEqual(
      INVOKE_CHANNELS.filter(
        (c) => MAIN_WINDOW_CHANNELS.includes(c) && c !== 'window/openSettings',
      ),
    )
    expect(openSettings).toHaveBeenCalledTimes(1)
    // Named outright: the main window may not change preferences, the organization time zone or
    // mail accounts (the settings window does).
    for (const channel of [
      'settings/set',
      'branding/set',
      'accounts/list',
      'accounts/connectEmail',
      'accounts/disconnect',
      'accounts/sync',
    ]) {
      expect(await invoke(channel, undefined, { url: ownUrl }), channel).toMatchObject({
        ok: false,
        error: { code: UNTRUSTED_SENDER },
      })
    }
    expect(calls).toHaveLength(MAIN_WINDOW_CHANNELS.length - 1)
  })

  it('accepts the settings window only on the channels the settings page uses', async () => {
    const { invoke, calls, openSettings } = setup()
    const settingsChannels = SETTINGS_CHANNELS
    for (const channel of INVOKE_CHANNELS) {
      const result = await invoke(channel, undefined, { url: `${settingsUrl}#section` })
      if (settingsChannels.includes(channel)) {
        expect(result, channel).toMatchObject({ ok: true })
      } else {
        expect(result, channel).toMatchObject({ ok: false, error: { code: UNTRUSTED_SENDER } })
      }
    }
    expect(calls.map((c) => c.channel)).toEqual(
      INVOKE_CHANNELS.filter((c) => settingsChannels.includes(c)),
    )
    expect(openSettings).not.toHaveBeenCalled()
  })

  it('turns thrown errors into InvokeResult errors, keeping their code', async () => {
    const { invoke } = setup()
    expect(await invoke('messages/edit', { message_id: 1, text: 'x' })).toEqual({
      ok: false,
      error: { code: 'forbidden', message: 'Only the sender may edit' },
    })
    expect(await invoke('messages/delete', { message_id: 1 })).toEqual({
      ok: false,
      error: { code: 'internal_error', message: 'boom' },
    })
  })

  it('removes its handlers when disposed', () => {
    const { dispose } = setup()
    dispose()
    expect(ipcMain.handlers.size).toBe(0)
    expect(ipcMain.removeHandler).toHaveBeenCalledTimes(INVOKE_CHANNELS.length)
  })
})

describe('toIpcError', () => {
  it('normalises odd values', () => {
    expect(toIpcError('text')).toEqual({ code: 'internal_error', message: 'text' })
    expect(toIpcError({ code: 42 })).toEqual({
      code: 'internal_error',
      message: 'Unexpected error',
    })
  })
})
