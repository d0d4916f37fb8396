import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Updater } from '../../../src/main/core/updates'
import {
  electronUpdateSource,
  type ElectronUpdaterLike,
} from '../../../src/main/electron/autoUpdater'
import { ManualClock } from '../core/support/manualClock'
import { channelFile, sha512, startFeedServer, type FeedServer } from '../core/support/updateFeed'

// The adapter and the core with the REAL electron-updater (its NSIS updater and generic provider:
// the feed parsing, version comparison, download and sha512 check that run in the app), against
// the same local feeds as tests/main/core/updates.test.ts. Only Electron's HTTP stack is replaced
// by Node's. Where electron-updater (a dependency) is not installed, this file says so and is
// skipped.

const require = createRequire(import.meta.url)
let electronUpdater: {
  NsisUpdater: new (options: null, app: unknown) => ElectronUpdaterLike
} | null
try {
  electronUpdater = require('electron-updater') as typeof electronUpdater
} catch {
  electronUpdater = null
}
if (electronUpdater === null) {
  console.warn('[electronUpdater.real] SKIPPED: electron-updater is not installed')
}

describe.skipIf(electronUpdater === null)('electron-updater 6 behind the adapter', () => {
  let feed: FeedServer
  let dir: string
  const installer = Buffer.from('MZ stand-in for an NSIS installer '.repeat(2000))

  beforeAll(async () => {
    feed = await startFeedServer()
    dir = await mkdtemp(join(tmpdir(), 'tidings-electron-updater-'))
    await writeFile(
      join(dir, 'app-update.yml'),
      `provider: generic\nurl: ${feed.url}\nupdaterCacheDirName: tidings-updater\n`,
    )
  })
  afterAll(async () => {
    await feed?.close()
    await rm(dir, { recursive: true, force: true })
  })

  /** ElectronHttpExecutor.download, on Node's http instead of Electron's net. */
  function nodeExecutor(): unknown {
    const { NodeHttpExecutor } = require('builder-util/out/nodeHttpExecutor') as {
      NodeHttpExecutor: new () => object
    }
    const runtime = require('builder-util-runtime') as {
      configureRequestUrl(url: URL, options: object): void
      configureRequestOptions(options: object): void
    }
    return Object.assign(new NodeHttpExecutor(), {
      download(
        this: { doDownload: (...args: unknown[]) => void },
        url: URL,
        destination: string,
        options: {
          headers?: object
          cancellationToken: {
            createPromise: (
              f: (
                resolve: (v: string) => void,
                reject: (e: unknown) => void,
                onCancel: unknown,
              ) => void,
            ) => Promise<string>
          }
        },
      ) {
        return options.cancellationToken.createPromise((resolve, reject, onCancel) => {
          const requestOptions = { headers: options.headers }
          runtime.configureRequestUrl(url, requestOptions)
          runtime.configureRequestOptions(requestOptions)
          this.doDownload(
            requestOptions,
            {
              destination,
              options,
              onCancel,
              responseHandler: null,
              callback: (error: unknown) => (error == null ? resolve(destination) : reject(error)),
            },
            0,
          )
        })
      },
    })
  }

  async function run(baseUrl = feed.url) {
    const app = {
      version: '0.1.0',
      name: 'Tidings',
      isPackaged: true,
      appUpdateConfigPath: join(dir, 'app-update.yml'),
      userDataPath: join(dir, 'user'),
      baseCachePath: join(dir, 'cache'),
      whenReady: () => Promise.resolve(),
      relaunch() {},
      quit() {},
      onQuit() {},
    }
    const real = new electronUpdater!.NsisUpdater(null, app) as ElectronUpdaterLike &
      Record<string, unknown>
    real.httpExecutor = nodeExecutor()
    real._testOnlyOptions = { platform: 'win32' }
    real.on('error' as never, () => {})
    const source = electronUpdateSource(real, { feedUrl: baseUrl, log: () => {} })
    const updater = new Updater({
      currentVersion: '0.1.0',
      source,
      clock: new ManualClock(),
      activity: {
        lastTypingAt: () => null,
        systemIdleSeconds: () => 0,
        isWindowFocused: () => false,
      },
      policy: { enabled: true },
      onState: () => {},
    })
    updater.start()
    await updater.checkNow()
    return updater.getState()
  }

  function publish(version: string, claimed?: string): void {
    feed.files.clear()
    const file = channelFile({
      platform: 'win32',
      version,
      installer,
      ...(claimed ? { claimedSha512: claimed } : {}),
    })
    feed.files.set(file.name, file.text)
    feed.files.set(file.installerName, installer)
  }

  it('newer: downloaded and ready', async () => {
    publish('0.2.0')
    expect(await run()).toEqual({ status: 'ready', version: '0.2.0' })
  })

  it('same and older: up to date', async () => {
    publish('0.1.0')
    expect(await run()).toMatchObject({ status: 'idle' })
    publish('0.0.9')
    expect(await run()).toMatchObject({ status: 'idle' })
  })

  it('malformed, without a version, or missing: a feed failure', async () => {
    feed.files.clear()
    feed.files.set('latest.yml', 'version: [0.2.0\nfiles: {')
    expect(await run()).toMatchObject({ status: 'failed', reason: 'feed' })
    feed.files.set('latest.yml', 'files: []\n')
    expect(await run()).toMatchObject({ status: 'failed', reason: 'feed' })
    feed.files.clear()
    expect(await run()).toMatchObject({ status: 'failed', reason: 'feed' })
  })

  it('a wrong sha512: a checksum failure', async () => {
    publish('0.2.0', sha512(Buffer.from('something else')))
    expect(await run()).toMatchObject({ status: 'failed', reason: 'checksum' })
  })

  it('unreachable: offline', async () => {
    expect(await run('http://127.0.0.1:9/')).toMatchObject({ status: 'failed', reason: 'offline' })
  }, 20_000)
})
