import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { pageReceives } from '../../../src/shared/ipc'
import {
  CoreFixture,
  FAST_TUNING,
  freshName,
  registerPeer,
  removeDir,
  serverPerFile,
  tempDir,
} from './support/coreFixture'
import { ManualClock } from './support/manualClock'

/** How long a burst gathers; the test moves a manual clock past it instead of waiting. */
const WINDOW_MS = 1_000

/**
 * The interface's language in the core: the OS's languages (CoreHost.systemLocales) unless the
 * `language` preference names one, answered by locale/get, pushed to both windows on a change as
 * locale/changed, kept across a restart, and the language main words native notifications in.
 */
describe('app core: language (real server, real local store)', () => {
  const server = serverPerFile()
  let userDataDir: string
  const cores: CoreFixture[] = []

  beforeEach(() => {
    userDataDir = tempDir('tidings-user-')
  })

  afterEach(async () => {
    for (const fixture of cores.splice(0)) await fixture.core.stop()
    removeDir(userDataDir)
  })

  async function startCore(
    systemLocales: readonly string[],
    clock?: ManualClock,
  ): Promise<CoreFixture> {
    const tuning = clock ? { ...FAST_TUNING, coalesceWindowMs: WINDOW_MS, clock } : FAST_TUNING
    const fixture = new CoreFixture(userDataDir, server.url, tuning, systemLocales)
    cores.push(fixture)
    await fixture.core.start()
    return fixture
  }

  it('follows the first OS language it has a catalog for, formatting in its region', async () => {
    const app = await startCore(['fr-FR', 'de-AT', 'en-US'])
    expect(await app.core.handle('locale/get', undefined)).toEqual({
      locale: 'de',
      formatLocale: 'de-AT',
      preference: 'system',
      system: ['fr-FR', 'de-AT', 'en-US'],
    })
  })

  it('falls back to English when the OS speaks nothing Tidings has', async () => {
    const app = await startCore(['fr-FR', 'ja-JP'])
    expect(await app.core.handle('locale/get', undefined)).toMatchObject({
      locale: 'en',
      formatLocale: 'en',
    })
  })

  it('takes the setting over the OS, pushes each change to both windows, and keeps it', async () => {
    const app = await startCore(['en-GB'])
    expect((await app.core.handle('locale/get', undefined)).formatLocale).toBe('en-GB')

    await app.core.handle('settings/set', { language: 'de' })
    // A change of anything else is no language change: nothing more is pushed for it.
    await app.core.handle('settings/set', { theme: 'dark' })
    await app.core.handle('settings/set', { language: 'system' })
    const changes = app.outputs.payloads('locale/changed')
    expect(changes.map((c) => [c.locale, c.formatLocale, c.preference])).toEqual([
      ['de', 'de', 'de'],
      ['en', 'en-GB', 'system'],
    ])
    for (const page of ['index.html', 'settings.html'] as const) {
      expect(pageReceives(page, 'locale/changed', changes[0]!)).toBe(true)
    }

    await app.core.handle('settings/set', { language: 'de' })
    await app.core.stop()
    const second = await startCore(['en-GB'])
    expect(await second.core.handle('locale/get', undefined)).toMatchObject({
      locale: 'de',
      preference: 'de',
    })
  })

  it('refuses a language it has no catalog for, and changes nothing', async () => {
    const app = await startCore(['en-US'])
    for (const language of ['fr', 'en-XA', 'DE', '', null, 7]) {
      await expect(app.core.handle('settings/set', { language } as never)).rejects.toMatchObject({
        code: 'invalid_request',
        message: expect.stringContaining('/language'),
      })
    }
    expect((await app.core.handle('settings/get', undefined)).language).toBe('system')
    expect(app.outputs.payloads('locale/changed')).toEqual([])
  })

  it('words native notifications in the language of the moment', async () => {
    const clock = new ManualClock()
    const app = await startCore(['de-DE'], clock)
    const me = await app.core.handle('session/register', {
      username: freshName('alice'),
      password: 'correct horse battery',
    })
    await app.waitForStatus('connected')
    const jane = await registerPeer(server.url, freshName('jane'), 'jane')
    const group = await jane.rest.createConversation({
      member_ids: [me.user!.id],
      title: 'Startplan',
    })
    await app.core.handle('settings/set', { notification_privacy: 'sender_only' })

    /** Jane writes twice; the burst closes; what it showed. */
    async function burst(text: string) {
      for (const n of [1, 2]) {
        await jane.rest.sendMessage(group.id, { text: `${text} ${n}`, client_id: `${text}-${n}` })
      }
      await app.outputs.waitFor(
        () => app.received().filter((e) => e.data.message.text.startsWith(text)).length === 2,
        `both messages of ${text}`,
      )
      const seen = app.outputs.notifications.length
      clock.advance(WINDOW_MS)
      return app.outputs.notifications.slice(seen)
    }

    expect(await burst('eins')).toEqual([
      expect.objectContaining({
        title: 'Startplan',
        body: expect.stringMatching(/^\d{1,2}:\d{2}.* · 2 neue Nachrichten von jane$/),
      }),
    ])
    await app.core.handle('settings/set', { language: 'en' })
    expect(await burst('two')).toEqual([
      expect.objectContaining({
        title: 'Startplan',
        body: expect.stringMatching(/ · 2 new messages from jane$/),
      }),
    ])
  })
})
