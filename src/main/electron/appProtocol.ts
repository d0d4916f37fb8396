import { readFile } from 'node:fs/promises'
import { protocol } from 'electron'
import { APP_SCHEME, contentTypeFor, resolveRendererFile } from './paths'

/**
 * The app scheme's privileges: standard (an origin of its own, relative URLs resolve), secure (a
 * secure context, like https) and fetch support. Deliberately not bypassCSP (the pages' CSP
 * applies), nor corsEnabled (no other origin may read our files).
 */
export const APP_SCHEME_PRIVILEGES = {
  standard: true,
  secure: true,
  supportFetchAPI: true,
} as const

/** Must run before the app is ready (Electron allows it only then, and only once). */
export function registerAppSchemePrivileges(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { ...APP_SCHEME_PRIVILEGES } },
  ])
}

/** After ready: answers `app://tidings/<path>` with files from `rendererDir`, and nothing else. */
export function handleAppScheme(rendererDir: string): void {
  protocol.handle(APP_SCHEME, (request) => serveRendererFile(request, rendererDir))
}

/** One app-scheme request: the file resolveRendererFile allows (GET or HEAD), else 404. */
export async function serveRendererFile(
  request: { url: string; method: string },
  rendererDir: string,
): Promise<Response> {
  const path =
    request.method === 'GET' || request.method === 'HEAD'
      ? resolveRendererFile(request.url, rendererDir)
      : null
  if (path === null) return notFound()
  try {
    const body = await readFile(path)
    return new Response(request.method === 'HEAD' ? null : body, {
      status: 200,
      headers: { 'Content-Type': contentTypeFor(path), 'X-Content-Type-Options': 'nosniff' },
    })
  } catch {
    return notFound()
  }
}

function notFound(): Response {
  return new Response('Not found', {
    status: 404,
    headers: { 'Content-Type': 'text/plain; charset=utf-8' },
  })
}
