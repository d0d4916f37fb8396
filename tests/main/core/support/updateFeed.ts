import { createHash } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { mkdir, rm } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import { createRequire } from 'node:module'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type { FeedRelease, UpdateSource } from '../../../../src/main/core/updates'

// A release feed as electron-builder publishes it (latest.yml for Windows, latest-mac.yml,
// latest-linux.yml), served over HTTP on 127.0.0.1, and a reader of it that behaves as
// electron-updater's generic provider does: the same files, the same YAML, the same checks and
// the same error codes (ERR_UPDATER_CHANNEL_FILE_NOT_FOUND, ERR_UPDATER_INVALID_UPDATE_INFO,
// ERR_UPDATER_INVALID_VERSION, ERR_CHECKSUM_MISMATCH; Node's own codes when unreachable).

const require = createRequire(import.meta.url)
// js-yaml is what electron-updater parses feeds with (it has no type declarations here).
const yaml = require('js-yaml') as { load(text: string): unknown }

export const CHANNEL_FILES = {
  win32: { file: 'latest.yml', installer: (v: string) => `Tidings-Setup-${v}.exe` },
  darwin: { file: 'latest-mac.yml', installer: (v: string) => `Tidings-${v}-universal-mac.zip` },
  linux: { file: 'latest-linux.yml', installer: (v: string) => `Tidings-${v}.AppImage` },
} as const

export type FeedPlatform = keyof typeof CHANNEL_FILES

export function sha512(bytes: Buffer): string {
  return createHash('sha512').update(bytes).digest('base64')
}

/** A channel file as electron-builder 26 writes it for one installer. */
export function channelFile(options: {
  platform: FeedPlatform
  version: string
  installer: Buffer
  /** The sha512 the feed claims; the installer's own by default. */
  claimedSha512?: string
}): { name: string; text: string; installerName: string } {
  const { platform, version, installer } = options
  const installerName = CHANNEL_FILES[platform].installer(version)
  const hash = options.claimedSha512 ?? sha512(installer)
  const extra =
    platform === 'darwin'
      ? `  - url: Tidings-${version}-universal.dmg\n    sha512: ${sha512(Buffer.from('dmg'))}\n    size: 3\n`
      : ''
  const text =
    `version: ${version}\n` +
    `files:\n` +
    `  - url: ${installerName}\n` +
    `    sha512: ${hash}\n` +
    `    size: ${installer.length}\n` +
    (platform === 'linux' ? `    blockMapSize: 1234\n` : '') +
    extra +
    `path: ${installerName}\n` +
    `sha512: ${hash}\n` +
    `releaseDate: '2026-12-01T10:00:00.000Z'\n`
  return { name: CHANNEL_FILES[platform].file, text, installerName }
}

export interface FeedServer {
  url: string
  /** Path (without the leading slash) → body; anything else is a 404. */
  files: Map<string, string | Buffer>
  requests: string[]
  close(): Promise<void>
}

export async function startFeedServer(): Promise<FeedServer> {
  const files = new Map<string, string | Buffer>()
  const requests: string[] = []
  const server: Server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname.slice(1))
    requests.push(path)
    const body = files.get(path)
    if (body === undefined) {
      response.writeHead(404).end('Not Found')
      return
    }
    response.writeHead(200, { 'content-length': Buffer.byteLength(body) }).end(body)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/`,
    files,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
}

function updaterError(message: string, code: string): Error {
  return Object.assign(new Error(message), { code })
}

interface FeedInfo {
  version?: unknown
  files?: { url: string; sha512: string; size?: number }[]
}

/** Reads `<baseUrl><channel file>` and downloads its installer into `downloadDir`. */
export function httpFeedSource(options: {
  baseUrl: string
  platform: FeedPlatform
  downloadDir: string
  installed?: string[]
}): UpdateSource {
  let found: FeedInfo | null = null
  const channel = CHANNEL_FILES[options.platform].file
  return {
    async check(): Promise<FeedRelease> {
      found = null
      const url = new URL(channel, options.baseUrl)
      const response = await fetch(url)
      if (response.status === 404) {
        throw updaterError(
          `Cannot find channel "${channel}" update info`,
          'ERR_UPDATER_CHANNEL_FILE_NOT_FOUND',
        )
      }
      if (!response.ok)
        throw updaterError(`HTTP ${response.status}`, `HTTP_ERROR_${response.status}`)
      let info: FeedInfo
      try {
        info = yaml.load(await response.text()) as FeedInfo
      } catch (error) {
        throw updaterError(
          `Cannot parse update info from ${channel}: ${(error as Error).message}`,
          'ERR_UPDATER_INVALID_UPDATE_INFO',
        )
      }
      if (typeof info !== 'object' || info === null || typeof info.version !== 'string') {
        throw updaterError(
          `The latest version from the update server does not have a valid semver version`,
          'ERR_UPDATER_INVALID_VERSION',
        )
      }
      found = info
      return { version: info.version }
    },

    async download(onProgress) {
      const wanted = found?.files?.[0]
      if (!found || !wanted) throw new Error('Please check update first')
      await mkdir(options.downloadDir, { recursive: true })
      const target = join(options.downloadDir, wanted.url)
      const response = await fetch(new URL(wanted.url, options.baseUrl))
      if (!response.ok || !response.body) {
        throw updaterError(
          `Cannot download ${wanted.url}: ${response.status}`,
          `HTTP_ERROR_${response.status}`,
        )
      }
      const hash = createHash('sha512')
      let received = 0
      await pipeline(
        Readable.fromWeb(response.body as never),
        async function* (source: AsyncIterable<Buffer>) {
          for await (const chunk of source) {
            hash.update(chunk)
            received += chunk.length
            onProgress(wanted.size ? (received / wanted.size) * 100 : 0)
            yield chunk
          }
        },
        createWriteStream(target),
      )
      const actual = hash.digest('base64')
      if (actual !== wanted.sha512) {
        await rm(target, { force: true })
        throw updaterError(
          `sha512 checksum mismatch, expected ${wanted.sha512}, got ${actual}`,
          'ERR_CHECKSUM_MISMATCH',
        )
      }
    },

    install() {
      options.installed?.push(String(found?.version))
    },
  }
}
