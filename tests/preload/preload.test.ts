import type { EventEmitter } from 'node:events'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { PAGE_CHANNELS, PUSHES, PUSH_CHANNELS } from '../../src/shared/ipc'
import type { InvokeResult, RendererPage, TidingsApi } from '../../src/shared/ipc'

// A fake of the two preload-side Electron modules: ipcRenderer answers invokes from a table and
// can emit pushes; contextBridge records what was exposed.
const bridge = vi.hoisted(() => ({ exposed: new Map<string, unknown>() }))
const ipc = vi.hoisted(() => ({
  answers: new Map<string, unknown>(),
  invoked: [] as { channel: string; request: unknown }[],
  emitter: null as null | EventEmitter,
}))

vi.mock('electron', async () => {
  const { EventEmitter: Emitter } = await import('node:events')
  const emitter = new Emitter()
  ipc.emitter = emitter
  const ipcRenderer = Object.assign(emitter, {
    invoke: async (channel: string, request: unknown) => {
      ipc.invoked.push({ channel, request })
      return ipc.answers.get(channel) ?? { ok: true, data: `answer:${channel}` }
    },
  })
  return {
    ipcRenderer,
    contextBridge: {
      exposeInMainWorld: (key: string, api: unknown) => bridge.exposed.set(key, api),
    },
  }
})

/** Runs the preload afresh in a page at `url` (the preload picks the page's API by its path). */
async function loadPreload(url: string): Promise<void> {
  bridge.exposed.clear()
  ;(globalThis as { location?: URL }).location = new URL(url)
  vi.resetModules()
  await import('../../src/preload/index')
}

await loadPreload('app://tidings/index.html')

function api(): TidingsApi {
  const exposed = bridge.exposed.get('tidings')
  if (!exposed) throw new Error('window.tidings was not exposed')
  return exposed as TidingsApi
}

function emitter(): EventEmitter {
  if (!ipc.emitter) throw new Error('ipcRenderer fake missing')
  return ipc.emitter
}

/** What Electron passes to ipcRenderer listeners: the event first, then the payload. */
const fakeIpcEvent = { sender: 'the ipcRenderer itself', senderId: 0 }

beforeEach(async () => {
  await loadPreload('app://tidings/index.html')
  ipc.answers.clear()
  ipc.invoked.length = 0
  emitter().removeAllListeners()
})

describe('preload bridge', () => {
  it('exposes only window.tidings, with one function per channel of its page plus on/subscribe', async () => {
    for (const page of ['index.html', 'settings.html'] as RendererPage[]) {
      await loadPreload(`app://tidings/${page}#x`)
      expect([...bridge.exposed.keys()]).toEqual(['tidings'])
      const keys = Object.keys(api()).sort()
      expect(keys, page).toEqual([...PAGE_CHANNELS[page], 'on', 'subscribe'].sort())
      for (const key of keys) {
        expect(typeof (api() as Record<string, unknown>)[key]).toBe('function')
      }
      expect(Object.isFrozen(api())).toBe(true)
    }
    // The settings page cannot even name a messenger channel (main refuses it anyway).
    expect('messages/send' in api()).toBe(false)
    expect('settings/set' in api()).toBe(true)
  })

  it('exposes no channel to a page that is not ours', async () => {
    await loadPreload('https://evil.example/index.htm')
    expect(Object.keys(api()).sort()).toEqual(['on', 'subscribe'])
    expect(() => api().subscribe('session/changed', () => undefined)).toThrow(/not sent/)
  })

  it('never exposes ipcRenderer or anything with its methods', () => {
    const values = Object.values(api() as Record<string, unknown>)
    expect(values).not.toContain(emitter())
    expect(values.some((v) => typeof v === 'object')).toBe(false)
    expect('invoke' in api()).toBe(false)
    expect('send' in api()).toBe(false)
  })

  it('invokes the matching channel with the request and unwraps the data', async () => {
    ipc.answers.set('messages/send', { ok: true, data: { client_id: 'c1' } })
    const result = await api()['messages/send']({ conversation_id: 2, text: 'hi' })
    expect(result).toEqual({ client_id: 'c1' })
    expect(ipc.invoked).toEqual([
      { channel: 'messages/send', request: { conversation_id: 2, text: 'hi' } },
    ])
    await api()['session/get']()
    expect(ipc.invoked[1]).toEqual({ channel: 'session/get', request: undefined })
  })

  it('throws an Error carrying the code when main answers with an error', async () => {
    const failure: InvokeResult<never> = {
      ok: false,
      error: { code: 'invalid_credentials', message: 'Wrong username or password' },
    }
    ipc.answers.set('session/login', failure)
    const login = api()['session/login']
    const error = await login({ username: 'a', password: 'b' }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(Error)
    expect(error).toMatchObject({
      code: 'invalid_credentials',
      message: 'Wrong username or password',
    })
  })

  it('rejects a malformed answer', async () => {
    ipc.answers.set('users/list', 'nonsense')
    await expect(api()['users/list']()).rejects.toMatchObject({ code: 'bad_response' })
  })

  it('on(type) delivers only stream events of that type, as the bare payload', () => {
    const received: unknown[] = []
    const all: unknown[] = []
    const off = api().on('message_received', (event) => received.push(event))
    const offAll = api().on('*', (event) => all.push(event))
    const typing = { type: 'typing_indicator', id: null }
    const message = { type: 'message_received', id: 4 }
    emitter().emit('events/event', fakeIpcEvent, typing)
    emitter().emit('events/event', fakeIpcEvent, message)
    expect(received).toEqual([message])
    expect(all).toEqual([typing, message])
    off()
    offAll()
    emitter().emit('events/event', fakeIpcEvent, message)
    expect(received).toHaveLength(1)
    expect(all).toHaveLength(2)
    expect(emitter().listenerCount('events/event')).toBe(0)
  })

  it('subscribe(channel) passes only the payload and unsubscribes', () => {
    const seen: unknown[][] = []
    const off = api().subscribe('navigation/openConversation', (...args: unknown[]) => {
      seen.push(args)
    })
    emitter().emit('navigation/openConversation', fakeIpcEvent, { conversation_id: 5 })
    expect(seen).toEqual([[{ conversation_id: 5 }]])
    off()
    emitter().emit('navigation/openConversation', fakeIpcEvent, { conversation_id: 6 })
    expect(seen).toHaveLength(1)
  })

  it('subscribe accepts every push channel its page is sent and nothing else', async () => {
    for (const page of ['index.html', 'settings.html'] as RendererPage[]) {
      await loadPreload(`app://tidings/${page}`)
      const subscribe = api().subscribe as (channel: string, cb: () => void) => () => void
      for (const channel of PUSH_CHANNELS) {
        if ((PUSHES[channel].pages as readonly string[]).includes(page)) {
          subscribe(channel, () => undefined)()
        } else {
          expect(() => subscribe(channel, () => undefined), channel).toThrow(/not sent/)
        }
      }
      for (const channel of ['session/login', 'ELECTRON_BROWSER_WINDOW_ALERT', 'x']) {
        expect(() => subscribe(channel, () => undefined)).toThrow(/Unknown push channel/)
      }
      expect(emitter().eventNames()).toEqual([])
    }
  })
})
