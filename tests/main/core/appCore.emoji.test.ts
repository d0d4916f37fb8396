import { beforeEach, describe, expect, it } from 'vitest'
import type { InvokeChannel } from '../../../src/shared/ipc'
import { MAX_RECENT_EMOJI } from '../../../src/shared/preferences'
import { appPerTest, type CoreFixture, freshName, serverPerFile } from './support/coreFixture'

/**
 * The emoji picker's memory in the core: emoji/used puts an emoji first among the recently used
 * (a per-device preference, bounded, kept across a restart), emoji/setSkinTone keeps the tone;
 * each is pushed to the windows like any preference change, and anything else is refused.
 */
describe('app core: recently used emoji and skin tone (real local store)', () => {
  const server = serverPerFile()
  const apps = appPerTest(server)
  let app: CoreFixture

  beforeEach(async () => {
    app = await apps.start()
    await app.core.handle('session/register', {
      username: freshName('alice'),
      password: 'correct horse battery',
    })
  })

  it('keeps the latest emoji first, once each, at most MAX_RECENT_EMOJI, and pushes each change', async () => {
    expect((await app.core.handle('settings/get', undefined)).recent_emoji).toEqual([])
    const pushed = app.outputs.payloads('settings/changed').length
    await app.core.handle('emoji/used', { emoji: '👍' })
    await app.core.handle('emoji/used', { emoji: '🎉' })
    const again = await app.core.handle('emoji/used', { emoji: '👍' })
    expect(again.recent_emoji).toEqual(['👍', '🎉'])
    // A text-style heart is the emoji, as the server stores it.
    const heart = await app.core.handle('emoji/used', { emoji: '\u2764' })
    expect(heart.recent_emoji).toEqual(['\u2764\uFE0F', '👍', '🎉'])
    expect(
      app.outputs
        .payloads('settings/changed')
        .slice(pushed)
        .map((p) => p.recent_emoji),
    ).toEqual([['👍'], ['🎉', '👍'], ['👍', '🎉'], ['\u2764\uFE0F', '👍', '🎉']])

    const many = Array.from({ length: MAX_RECENT_EMOJI + 5 }, (_, i) =>
      String.fromCodePoint(0x1f600 + i),
    )
    for (const emoji of many) await app.core.handle('emoji/used', { emoji })
    const recent = (await app.core.handle('settings/get', undefined)).recent_emoji
    expect(recent).toHaveLength(MAX_RECENT_EMOJI)
    expect(recent).toEqual(many.slice(-MAX_RECENT_EMOJI).reverse())
  })

  it('keeps the skin tone and the recent emoji across a restart', async () => {
    const toned = await app.core.handle('emoji/setSkinTone', { tone: 4 })
    expect(toned.emoji_skin_tone).toBe(4)
    await app.core.handle('emoji/used', { emoji: '👍🏾' })
    await app.core.stop()
    const restarted = await apps.start()
    const preferences = await restarted.core.handle('settings/get', undefined)
    expect(preferences.emoji_skin_tone).toBe(4)
    expect(preferences.recent_emoji).toEqual(['👍🏾'])
  })

  it('refuses what is not one emoji, and tones outside 0 to 5, changing nothing', async () => {
    await app.core.handle('emoji/used', { emoji: '🙂' })
    const refuses = async (channel: InvokeChannel, request: unknown, message: RegExp) => {
      await expect(app.core.handle(channel, request as never)).rejects.toMatchObject({
        code: 'invalid_request',
        message: expect.stringMatching(message) as unknown,
      })
    }
    await refuses('emoji/used', { emoji: 'ok' }, /exactly one emoji/)
    await refuses('emoji/used', { emoji: '👍👍' }, /exactly one emoji/)
    await refuses('emoji/used', { emoji: '' }, /Invalid emoji\/used request at \/emoji/)
    await refuses('emoji/used', { emoji: '👍'.repeat(40) }, /at \/emoji/)
    await refuses('emoji/used', { emoji: '👍', extra: 1 }, /at \//)
    await refuses('emoji/setSkinTone', { tone: 6 }, /Invalid emoji\/setSkinTone request at \/tone/)
    await refuses('emoji/setSkinTone', { tone: 1.5 }, /at \/tone/)
    await refuses('emoji/setSkinTone', { tone: '1' }, /at \/tone/)
    const preferences = await app.core.handle('settings/get', undefined)
    expect(preferences.recent_emoji).toEqual(['🙂'])
    expect(preferences.emoji_skin_tone).toBe(0)
  })
})
