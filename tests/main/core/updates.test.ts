import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import {
  MAX_CHECKSUM_FAILURES,
  Updater,
  classifyUpdateError,
  compareVersions,
  parseVersion,
  trackTyping,
  type UpdateSource,
  type UpdaterOptions,
} from '../../../src/main/core/updates'
import type { UpdateState } from '../../../src/shared/updates'
import { translatorFor } from '../../../src/shared/i18n/translator'
import { updateBanner } from '../../../src/shared/updates'
import { ManualClock } from './support/manualClock'
import {
  CHANNEL_FILES,
  channelFile,
  httpFeedSource,
  sha512,
  startFeedServer,
  type FeedPlatform,
  type FeedServer,
} from './support/updateFeed'

const HOUR = 60 * 60_000

describe('versions', () => {
  it('orders semantic versions, pre-releases below their release', () => {
    const order = [
      '0.9.9',
      '1.0.0-alpha',
      '1.0.0-alpha.1',
      '1.0.0-beta.2',
      '1.0.0-beta.11',
      '1.0.0-rc.1',
      '1.0.0',
      '1.0.1',
      '1.10.0',
      '2.0.0',
    ]
    for (let i = 0; i + 1 < order.length; i++) {
      expect(compareVersions(parseVersion(order[i]!)!, parseVersion(order[i + 1]!)!)).toBeLessThan(
        0,
      )
    }
    expect(compareVersions(parseVersion('v1.2.3+build.5')!, parseVersion('1.2.3')!)).toBe(0)
  })

  it('refuses what is not a version', () => {
    for (const text of ['', '1.2', '01.2.3', '1.2.3.4', 'latest', '1.2.3-']) {
      expect(parseVersion(text)).toBeNull()
    }
  })
})

describe('trackTyping', () => {
  it('notes typing and draft changes on their way to the core, and nothing else', async () => {
    let now = 1000
    const handled: string[] = []
    const tracked = trackTyping(
      {
        handle: async (channel) => {
          handled.push(channel)
          return undefined as never
        },
      },
      () => now,
    )
    expect(tracked.lastTypingAt()).toBeNull()
    await tracked.core.handle('typing/set', { conversation_id: 1, is_typing: false })
    await tracked.core.handle('messages/markRead', { conversation_id: 1, up_to_message_id: 2 })
    expect(tracked.lastTypingAt()).toBeNull()
    await tracked.core.handle('typing/set', { conversation_id: 1, is_typing: true })
    expect(tracked.lastTypingAt()).toBe(1000)
    now = 5000
    await tracked.core.handle('drafts/set', { conversation_id: 1, text: 'hel' })
    expect(tracked.lastTypingAt()).toBe(5000)
    expect(handled).toEqual(['typing/set', 'messages/markRead', 'typing/set', 'drafts/set'])
  })
})

describe('classifyUpdateError', () => {
  it('tells the network, the feed and the checksum apart', () => {
    const refused = new TypeError('fetch failed', {
      cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' }),
    })
    expect(classifyUpdateError(refused)).toBe('offline')
    expect(classifyUpdateError(new Error('net::ERR_INTERNET_DISCONNECTED'))).toBe('offline')
    expect(
      classifyUpdateError(
        Object.assign(new Error('x'), { code: 'ERR_UPDATER_INVALID_UPDATE_INFO' }),
      ),
    ).toBe('feed')
    expect(
      classifyUpdateError(Object.assign(new Error('x'), { code: 'ERR_CHECKSUM_MISMATCH' })),
    ).toBe('checksum')
    expect(classifyUpdateError(new Error('disk full'))).toBe('other')
  })
})

/** A source whose answers each test sets. */
function scriptedSource() {
  const source = {
    version: '0.2.0',
    downloadError: null as Error | null,
    check: vi.fn(async () => ({ version: source.version })),
    download: vi.fn(async (onProgress: (percent: number) => void) => {
      onProgress(50)
      if (source.downloadError) throw source.downloadError
      onProgress(100)
    }),
    install: vi.fn(),
  }
  return source
}

function makeUpdater(overrides: Partial<UpdaterOptions> & { source: UpdateSource }) {
  const clock = (overrides.clock as ManualClock | undefined) ?? new ManualClock()
  const states: UpdateState[] = []
  const activity = {
    typedAt: null as number | null,
    idleSeconds: 0,
    focused: false,
    lastTypingAt: () => activity.typedAt,
    systemIdleSeconds: () => activity.idleSeconds,
    isWindowFocused: () => activity.focused,
  }
  const updater = new Updater({
    currentVersion: '0.1.0',
    clock,
    activity,
    policy: { enabled: true },
    onState: (state) => states.push(state),
    ...overrides,
  })
  return { updater, clock, states, activity }
}

/** Lets the updater's awaited steps run after a timer fired. */
async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await new Promise((resolve) => setImmediate(resolve))
}

describe('Updater: when it checks', () => {
  it('checks shortly after start, then every 4 hours', async () => {
    const source = scriptedSource()
    source.version = '0.1.0'
    const { updater, clock, states } = makeUpdater({ source })
    updater.start()
    expect(states).toEqual([{ status: 'idle', checked_at: null }])
    clock.advance(14_999)
    expect(source.check).not.toHaveBeenCalled()
    clock.advance(1)
    await settle()
    expect(source.check).toHaveBeenCalledTimes(1)
    expect(updater.getState()).toEqual({ status: 'idle', checked_at: '2026-01-15T12:00:15.000Z' })
    clock.advance(4 * HOUR - 1)
    await settle()
    expect(source.check).toHaveBeenCalledTimes(1)
    clock.advance(1)
    await settle()
    expect(source.check).toHaveBeenCalledTimes(2)
  })

  it('turned off by an administrator or the user: never checks, and says why', async () => {
    const source = scriptedSource()
    const { updater, clock, states } = makeUpdater({
      source,
      policy: { enabled: false, reason: 'admin' },
    })
    updater.start()
    await updater.checkNow()
    clock.advance(24 * HOUR)
    await settle()
    expect(source.check).not.toHaveBeenCalled()
    expect(states).toEqual([{ status: 'disabled', reason: 'admin' }])
    expect(clock.pendingTimers).toBe(0)
  })

  it('turning it on checks soon; turning it off cancels what was scheduled', async () => {
    const source = scriptedSource()
    source.version = '0.1.0'
    const { updater, clock } = makeUpdater({ source, policy: { enabled: false, reason: 'user' } })
    updater.start()
    updater.setPolicy({ enabled: true })
    expect(updater.getState()).toEqual({ status: 'idle', checked_at: null })
    clock.advance(15_000)
    await settle()
    expect(source.check).toHaveBeenCalledTimes(1)
    updater.setPolicy({ enabled: false, reason: 'user' })
    expect(clock.pendingTimers).toBe(0)
    expect(updater.getState()).toEqual({ status: 'disabled', reason: 'user' })
  })

  it('one check at a time', async () => {
    const source = scriptedSource()
    source.version = '0.1.0'
    const { updater } = makeUpdater({ source })
    updater.start()
    await Promise.all([updater.checkNow(), updater.checkNow()])
    expect(source.check).toHaveBeenCalledTimes(1)
  })
})

describe('Updater: restarting', () => {
  async function downloaded() {
    const source = scriptedSource()
    const made = makeUpdater({ source })
    made.updater.start()
    await made.updater.checkNow()
    expect(made.updater.getState()).toEqual({ status: 'ready', version: '0.2.0' })
    return { source, ...made }
  }

  it('shows "Restart to update" once downloaded, and installs when clicked', async () => {
    const { updater, source, states } = await downloaded()
    expect(states.map((s) => s.status)).toEqual([
      'idle',
      'checking',
      'downloading',
      'downloading',
      'downloading',
      'ready',
    ])
    expect(updateBanner(updater.getState(), translatorFor('en'))).toEqual({
      text: 'Tidings 0.2.0 is ready.',
      action: 'Restart to update',
    })
    expect(source.install).not.toHaveBeenCalled()
    expect(updater.restartToUpdate()).toBe(true)
    expect(source.install).toHaveBeenCalledTimes(1)
    expect(updater.restartToUpdate()).toBe(false)
  })

  it('never restarts on its own while the user types, or has a window focused', async () => {
    const { clock, source, activity } = await downloaded()
    activity.idleSeconds = 3 * 3600
    activity.focused = true
    clock.advance(10 * 60_000)
    expect(source.install).not.toHaveBeenCalled()
    activity.focused = false
    activity.typedAt = clock.now() - 60_000
    clock.advance(60_000)
    expect(source.install).not.toHaveBeenCalled()
    // Ten minutes after the last keystroke, away for hours: now it may.
    clock.advance(9 * 60_000)
    expect(source.install).toHaveBeenCalledTimes(1)
  })

  it('waits for an hour of system idleness; an unknown idle time never qualifies', async () => {
    const { clock, source, activity } = await downloaded()
    activity.idleSeconds = 0
    clock.advance(12 * HOUR)
    expect(source.install).not.toHaveBeenCalled()
    activity.idleSeconds = 59 * 60
    clock.advance(60_000)
    expect(source.install).not.toHaveBeenCalled()
    activity.idleSeconds = 60 * 60
    clock.advance(60_000)
    expect(source.install).toHaveBeenCalledTimes(1)
  })

  it('no more checks once an update waits', async () => {
    const { updater, source, clock } = await downloaded()
    await updater.checkNow()
    clock.advance(8 * HOUR)
    await settle()
    expect(source.check).toHaveBeenCalledTimes(1)
  })
})

describe('Updater: failures', () => {
  it('a checksum mismatch discards the download, shows nothing, retries at the next check, at most three times', async () => {
    const source = scriptedSource()
    source.downloadError = Object.assign(new Error('sha512 checksum mismatch'), {
      code: 'ERR_CHECKSUM_MISMATCH',
    })
    const { updater, clock } = makeUpdater({ source })
    updater.start()
    await updater.checkNow()
    expect(updater.getState()).toEqual({
      status: 'failed',
      reason: 'checksum',
      retry_at: '2026-01-15T16:00:00.000Z',
    })
    expect(updateBanner(updater.getState(), translatorFor('en'))).toBeNull()
    for (let i = 1; i < MAX_CHECKSUM_FAILURES + 2; i++) {
      clock.advance(4 * HOUR)
      await settle()
    }
    expect(source.download).toHaveBeenCalledTimes(MAX_CHECKSUM_FAILURES)
    expect(updater.getState()).toMatchObject({ status: 'idle' })
    // A newer release is tried again.
    source.version = '0.2.1'
    source.downloadError = null
    clock.advance(4 * HOUR)
    await settle()
    expect(updater.getState()).toEqual({ status: 'ready', version: '0.2.1' })
  })
})

// The same decisions against real feeds over HTTP, for each platform's channel file.
describe.each(Object.keys(CHANNEL_FILES) as FeedPlatform[])(
  'against a %s feed over HTTP',
  (platform) => {
    let feed: FeedServer
    let dir: string
    const installer = Buffer.from('MZ a small stand-in for an installer '.repeat(1000))

    beforeAll(async () => {
      feed = await startFeedServer()
      dir = await mkdtemp(join(tmpdir(), 'tidings-updates-'))
    })
    afterAll(async () => {
      await feed.close()
      await rm(dir, { recursive: true, force: true })
    })
    beforeEach(() => {
      feed.files.clear()
      feed.requests.length = 0
    })

    function publish(version: string, claimedSha512?: string): string {
      const file = channelFile({
        platform,
        version,
        installer,
        ...(claimedSha512 ? { claimedSha512 } : {}),
      })
      feed.files.set(file.name, file.text)
      feed.files.set(file.installerName, installer)
      return file.installerName
    }

    async function run(baseUrl = feed.url) {
      const downloadDir = join(dir, `${Math.random()}`.slice(2))
      const source = httpFeedSource({ baseUrl, platform, downloadDir })
      const made = makeUpdater({ source })
      made.updater.start()
      await made.updater.checkNow()
      return { ...made, downloadDir }
    }

    it('a newer version: downloaded, verified and offered', async () => {
      const name = publish('0.2.0')
      const { updater, downloadDir } = await run()
      expect(updater.getState()).toEqual({ status: 'ready', version: '0.2.0' })
      expect(feed.requests).toEqual([CHANNEL_FILES[platform].file, name])
      expect(sha512(await readFile(join(downloadDir, name)))).toBe(sha512(installer))
    })

    it('the same version: nothing downloaded', async () => {
      publish('0.1.0')
      const { updater } = await run()
      expect(updater.getState()).toMatchObject({ status: 'idle', checked_at: expect.any(String) })
      expect(feed.requests).toEqual([CHANNEL_FILES[platform].file])
    })

    it('an older version: no downgrade', async () => {
      publish('0.0.9')
      const { updater } = await run()
      expect(updater.getState()).toMatchObject({ status: 'idle' })
      expect(feed.requests).toHaveLength(1)
    })

    it('a malformed feed: a quiet failure, checked again in 4 hours', async () => {
      feed.files.set(CHANNEL_FILES[platform].file, 'version: [0.2.0\nfiles: {')
      const { updater } = await run()
      expect(updater.getState()).toEqual({
        status: 'failed',
        reason: 'feed',
        retry_at: '2026-01-15T16:00:00.000Z',
      })
      feed.files.set(CHANNEL_FILES[platform].file, 'files: []\n')
      const again = await run()
      expect(again.updater.getState()).toMatchObject({ status: 'failed', reason: 'feed' })
      feed.files.set(CHANNEL_FILES[platform].file, 'version: latest\nfiles: []\n')
      const notAVersion = await run()
      expect(notAVersion.updater.getState()).toMatchObject({ status: 'failed', reason: 'feed' })
    })

    it('no feed published (404): a feed failure', async () => {
      const { updater } = await run()
      expect(updater.getState()).toMatchObject({ status: 'failed', reason: 'feed' })
    })

    it('an unreachable feed: offline, tried again in 30 minutes', async () => {
      const closed = createServer()
      await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
      const { port } = closed.address() as { port: number }
      await new Promise((resolve) => closed.close(resolve))
      const { updater } = await run(`http://127.0.0.1:${port}/`)
      expect(updater.getState()).toEqual({
        status: 'failed',
        reason: 'offline',
        retry_at: '2026-01-15T12:30:00.000Z',
      })
    })

    it('a wrong sha512: the download is deleted and never offered', async () => {
      const name = publish('0.2.0', sha512(Buffer.from('something else')))
      const { updater, downloadDir } = await run()
      expect(updater.getState()).toMatchObject({ status: 'failed', reason: 'checksum' })
      expect(feed.requests).toEqual([CHANNEL_FILES[platform].file, name])
      expect(existsSync(join(downloadDir, name))).toBe(false)
      expect(updateBanner(updater.getState(), translatorFor('en'))).toBeNull()
    })
  },
)
