import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'

/**
 * The Content-Security-Policy of a renderer page, by directive (its meta tag). The built pages load
 * from app://tidings/, so 'self' is that origin and not every local file.
 */
function policyOf(page: string): Map<string, string[]> {
  const html = readFileSync(new URL(`../../../src/renderer/${page}`, import.meta.url), 'utf8')
  const content = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)?.[1]
  if (!content) throw new Error(`${page} has no Content-Security-Policy`)
  return new Map(
    content
      .split(';')
      .map((directive) => directive.trim().split(/\s+/))
      .map(([name, ...sources]) => [name!, sources]),
  )
}

describe('Content-Security-Policy of the renderer pages', () => {
  const pages = ['index.html', 'settings.html']

  it('is the same strict policy on every page', () => {
    const [main, ...others] = pages.map(policyOf)
    for (const other of others) expect(other).toEqual(main)
    for (const policy of [main!, ...others]) {
      expect(policy.get('default-src')).toEqual(["'self'"])
      // Scripts only from the app's own files: no inline script, no eval.
      expect(policy.get('script-src')).toEqual(["'self'"])
      // Styles from the app's own files only (React sets the rest through the DOM).
      expect(policy.get('style-src')).toEqual(["'self'"])
      // No plugins, no <base> to re-point relative URLs, no form posting anywhere.
      expect(policy.get('object-src')).toEqual(["'none'"])
      expect(policy.get('base-uri')).toEqual(["'none'"])
      expect(policy.get('form-action')).toEqual(["'none'"])
      // The renderer talks to main over IPC only: no network of its own.
      expect(policy.get('connect-src')).toEqual(["'self'"])
      // Attachment thumbnails are blob: URLs of bytes main read; no other directive takes blob:.
      expect(policy.get('img-src')).toEqual(["'self'", 'data:', 'blob:'])
      expect([...policy.entries()].filter(([, sources]) => sources.includes('blob:'))).toEqual([
        ['img-src', ["'self'", 'data:', 'blob:']],
      ])
      expect([...policy.values()].flat()).not.toContain("'unsafe-eval'")
    }
  })
})
