import { once } from 'node:events'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { resolvePublicHost, type ResolveHost } from '../../server/previews/publicAddress'

// Pages for link preview tests, served on loopback. The server's policy refuses loopback, so tests
// reach these servers through one test-only name, `preview.test`, which `previewTestResolver`
// maps to 127.0.0.1; every other name and every address goes to the real policy.

/** A 1×1 PNG: a page's image. */
export const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8ffff3f0005fe02fea7d6a4a50000000049454e44ae426082',
  'hex',
)

export const previewTestResolver: ResolveHost = async (hostname) =>
  hostname === 'preview.test' ? [{ address: '127.0.0.1', family: 4 }] : resolvePublicHost(hostname)

export interface PageServer {
  port: number
  /** http://preview.test:<port><path> */
  at(path: string): string
  close(): Promise<void>
}

/** An HTTP server on 127.0.0.1 (a free port) answering with `handler`. */
export async function startPageServer(handler: http.RequestListener): Promise<PageServer> {
  const server = http.createServer(handler)
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const port = (server.address() as AddressInfo).port
  return {
    port,
    at: (path) => `http://preview.test:${port}${path}`,
    close: async () => {
      server.closeAllConnections()
      server.close()
      await once(server, 'close')
    },
  }
}
