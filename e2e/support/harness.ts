import fs from 'node:fs'
import http from 'node:http'
import os from 'node:os'
import path from 'node:path'
import { build } from 'esbuild'
import sirv from 'sirv'
import type { Browser, BrowserContext, Page } from '@playwright/test'
import { startServer, type RunningServer, type ServerOptions } from '../../server/startServer'
import type { CoreTuning } from '../../src/main/core/appCore'
import { systemClock } from '../../src/main/core/clock'
import type { NativeNotificationRequest, SecretStore } from '../../src/main/core/coreHost'
import { DeepLinkHandler, serverLinkHost } from '../../src/main/core/deepLinks'
import { answerInvoke, type InvokeAnswerer } from '../../src/main/core/ipcRequests'
import {
  createServerCoordinator,
  type ServerCoordinator,
} from '../../src/main/core/serverCoordinator'
import { Updater } from '../../src/main/core/updates'
import { localeInfo } from '../../src/shared/i18n/locales'
import { translatorFor, type Translator } from '../../src/shared/i18n/translator'
import { pageReceives } from '../../src/shared/ipc'
import type {
  InvokeChannel,
  InvokeResult,
  PushChannel,
  PushMap,
  RendererPage,
} from '../../src/shared/ipc'

/**
 * The Playwright harness: the real server, the real main-process core in this Node process, and the
 * real built renderer in Chromium. Only Electron's IPC transport (replaced by two Playwright
 * bindings), Notification (recorded instead of shown), the link dialogs (answered by the test)
 * and electron-updater (a feed the test names) are stand-ins. The world's backend stands for the
 * bundled server; other servers are added as the user would.
 */

const ROOT = path.resolve(import.meta.dirname, '../..')
const RENDERER_DIR = path.join(ROOT, 'out/renderer')

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `tidings-e2e-${prefix}-`))
}

/** The events server on a real port with a real SQLite file; restartable on the same port. */
export class Backend {
  server!: RunningServer
  readonly dataDir = tempDir('server')
  private port = 0

  constructor(private readonly options: ServerOptions = {}) {}

  async start(): Promise<void> {
    this.server = await startServer({
      host: '127.0.0.1',
      port: this.port,
      dataDir: this.dataDir,
      presenceGraceMs: 300,
      // Sign-ins by the dozen: a cheap hash (each hash keeps its own parameters).
      scryptCost: 1024,
      ...this.options,
    })
    this.port = this.server.port
  }

  get url(): string {
    return this.server.url
  }

  async stop(): Promise<void> {
    await this.server.close()
  }
}

/** Serves the built renderer (out/renderer) over http on loopback. */
export async function serveRenderer(): Promise<{ url: string; close(): Promise<void> }> {
  if (!fs.existsSync(path.join(RENDERER_DIR, 'index.html'))) {
    throw new Error('out/renderer is missing: run `npm run build` first (npm run test:e2e does).')
  }
  const handler = sirv(RENDERER_DIR, { dev: false, etag: true })
  const server = http.createServer((request, response) => handler(request, response))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address() as { port: number }
  return {
    url: `http://127.0.0.1:${address.port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
}

let preloadBundle: Promise<string> | undefined

/** The browser preload, bundled once per run. */
function browserPreload(): Promise<string> {
  preloadBundle ??= build({
    entryPoints: [path.join(ROOT, 'e2e/support/browserPreload.ts')],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'chrome120',
  }).then((result) => result.outputFiles[0]!.text)
  return preloadBundle
}

/** Plain storage: the OS keyring is a platform service the harness does not have. */
const plainSecrets: SecretStore = {
  available: () => false,
  encrypt: (plain) => Buffer.from(plain, 'utf8'),
  decrypt: (cipher) => cipher.toString('utf8'),
}

export interface RecordedNotification extends NativeNotificationRequest {
  at: number
}

/** One desktop app instance: a core with its own userData folder, and the pages it drives. */
export class DesktopClient {
  readonly core: ServerCoordinator
  readonly links = new DeepLinkHandler()
  /** The link notices shown, and the servers a link asked to add (answered by `addServers`). */
  readonly linkNotices: string[] = []
  readonly addServerQuestions: string[] = []
  addServers = true
  /** Updates the stand-in feed made ready; "Restart to update" installs. */
  updater: Updater | null = null
  readonly installs: string[] = []
  readonly notifications: RecordedNotification[] = []
  readonly unreadCounts: number[] = []
  readonly settingsOpened: number[] = []
  /** The open windows, and which of our pages each shows. */
  readonly pages = new Map<Page, RendererPage>()
  /** What Chromium reported as blocked by the pages' Content-Security-Policy. */
  readonly policyViolations: string[] = []
  readonly userDataDir = tempDir('userdata')
  /** Where saved attachments go, and the names the save dialog was offered. */
  readonly downloadsDir = tempDir('downloads')
  readonly savedFiles: string[] = []
  /** What the stand-in for BrowserWindow.isFocused() answers. */
  windowFocused = true
  /** Where open() found the renderer; window/openSettings opens settings.html from there. */
  private rendererUrl: string | null = null
  /**
   * Pushes not yet handed to each page. One page.evaluate carries all that gathered while the
   * previous one was under way: a round trip each (tens of ms on a busy machine) let a window fall
   * seconds behind a burst of events, where Electron's IPC keeps up.
   */
  private readonly unsent = new Map<Page, [PushChannel, unknown][]>()
  /** The language of main's dialogs (the link notices), as index.ts follows it. */
  private translator: Translator

  constructor(
    readonly context: BrowserContext,
    serverUrl: string,
    tuning?: CoreTuning,
    /** The OS's languages, as Electron's app.getLocale() and preferred languages give them. */
    systemLocales: readonly string[] = ['en-US'],
  ) {
    const start = localeInfo('system', systemLocales)
    this.translator = translatorFor(start.locale, start.formatLocale)
    this.core = createServerCoordinator({
      host: {
        userDataDir: this.userDataDir,
        secretStore: plainSecrets,
        isWindowFocused: () => this.windowFocused,
        // The save dialog's stand-in: every file goes to this client's downloads folder.
        chooseSavePath: (fileName) => {
          this.savedFiles.push(fileName)
          return Promise.resolve(path.join(this.downloadsDir, fileName))
        },
        systemLocales,
      },
      outputs: {
        push: (channel, payload) => this.push(channel, payload),
        notify: (request) => this.notifications.push({ ...request, at: Date.now() }),
        unreadCount: (count) => this.unreadCounts.push(count),
      },
      // The world's backend is this app's bundled server.
      bundledServer: { start: () => Promise.resolve(serverUrl), stop: () => Promise.resolve() },
      tuning,
    })
  }

  static async launch(
    browser: Browser,
    serverUrl: string,
    options: { tuning?: CoreTuning; systemLocales?: readonly string[] } = {},
  ): Promise<DesktopClient> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } })
    const client = new DesktopClient(context, serverUrl, options.tuning, options.systemLocales)
    // As registerIpcHandlers does: the same answerInvoke, with the calling tab's page, so a call
    // the app would refuse (a channel that page may not use) is refused here too.
    const answerer: InvokeAnswerer = {
      core: client.core,
      windows: {
        'window/openSettings': () => {
          // Like the Electron layer: record it and open the settings window (a page here).
          client.settingsOpened.push(Date.now())
          if (client.rendererUrl !== null) void client.open(client.rendererUrl, 'settings.html')
        },
      },
    }
    await context.exposeBinding(
      '__tidingsInvoke',
      (source, channel: InvokeChannel, request: unknown): Promise<InvokeResult<unknown>> =>
        answerInvoke(answerer, client.pages.get(source.page) ?? null, channel, request),
    )
    await context.addInitScript({ content: await browserPreload() })
    await client.core.start()
    const locale = await client.core.handle('locale/get', undefined)
    client.translator = translatorFor(locale.locale, locale.formatLocale)
    // As index.ts does, with the dialogs answered by the test.
    await client.links.ready(
      serverLinkHost(client.core, {
        showWindow: () => {},
        notice: (message) => client.linkNotices.push(message),
        translator: () => client.translator,
        confirmAddServer: ({ to }) => {
          client.addServerQuestions.push(to)
          return Promise.resolve(client.addServers)
        },
        log: () => {},
      }),
    )
    return client
  }

  /** A tidings:// link from the OS (argv, open-url). */
  openLink(url: string): Promise<void> {
    return this.links.receive(url)
  }

  /** A click on a native notification (notifications.ts hands it to the core). */
  clickNotification(notification: NativeNotificationRequest): Promise<void> {
    return this.core.openNotification(notification)
  }

  /**
   * The updater against a feed offering `version`, which downloads at once: the window hears of
   * each state, as from index.ts, and "Restart to update" installs (recorded in `installs`).
   */
  startUpdater(version: string): Updater {
    const updater = new Updater({
      currentVersion: '0.1.0',
      source: {
        check: () => Promise.resolve({ version }),
        download: (onProgress) => {
          onProgress(100)
          return Promise.resolve()
        },
        install: () => this.installs.push(version),
      },
      clock: systemClock,
      activity: {
        lastTypingAt: () => null,
        systemIdleSeconds: () => 0,
        isWindowFocused: () => true,
      },
      policy: { enabled: true },
      onState: (state) => this.push('updates/state', state),
      firstCheckDelayMs: 0,
    })
    this.updater = updater
    this.core.setUpdates(updater)
    updater.start()
    return updater
  }

  /** Opens a window (index.html or settings.html) of this app. */
  async open(rendererUrl: string, page: RendererPage = 'index.html'): Promise<Page> {
    this.rendererUrl ??= rendererUrl
    const tab = await this.context.newPage()
    this.pages.set(tab, page)
    tab.on('close', () => this.pages.delete(tab))
    tab.on('console', (message) => {
      if (message.type() === 'error' && message.text().includes('Content Security Policy')) {
        this.policyViolations.push(`${page}: ${message.text()}`)
      }
    })
    await tab.goto(`${rendererUrl}/${page}`)
    return tab
  }

  /**
   * The OS focus of the app's window: what main reads (BrowserWindow.isFocused()) and the window
   * focus/blur events the page gets. Headless Chromium keeps every page "focused", so the events
   * are dispatched here, as the OS would on switching apps.
   */
  async setWindowFocused(page: Page, focused: boolean): Promise<void> {
    this.windowFocused = focused
    await page.evaluate((f) => window.dispatchEvent(new Event(f ? 'focus' : 'blur')), focused)
  }

  /** webContents.send to every window whose page takes it (as windows.ts does), in order. */
  private push<C extends PushChannel>(channel: C, payload: PushMap[C]): void {
    // What index.ts does besides sending: links follow the sign-in, the updater the switch.
    if (channel === 'session/changed') {
      void this.links.sessionChanged((payload as PushMap['session/changed']).user !== null)
    } else if (channel === 'locale/changed') {
      const info = payload as PushMap['locale/changed']
      this.translator = translatorFor(info.locale, info.formatLocale)
    } else if (channel === 'settings/changed' && this.updater) {
      this.updater.setPolicy(
        (payload as PushMap['settings/changed']).auto_update
          ? { enabled: true }
          : { enabled: false, reason: 'user' },
      )
    }
    for (const [page, kind] of this.pages) {
      if (!pageReceives(kind, channel, payload)) continue
      const waiting = this.unsent.get(page)
      if (waiting) waiting.push([channel, payload])
      else {
        this.unsent.set(page, [[channel, payload]])
        void this.deliver(page)
      }
    }
  }

  /** Hands a page its pushes in order, those gathered meanwhile in the next evaluate. */
  private async deliver(page: Page): Promise<void> {
    // Started for the first push of a batch; ends once none is left, the map entry with it.
    await Promise.resolve()
    for (;;) {
      const pushes = this.unsent.get(page) ?? []
      this.unsent.set(page, [])
      if (pushes.length === 0) break
      await page
        .evaluate((batch) => window.__tidingsPushAll?.(batch), pushes)
        .catch(() => undefined)
    }
    this.unsent.delete(page)
  }

  async close(): Promise<void> {
    this.updater?.stop()
    await this.core.stop()
    await this.context.close()
  }
}
