import { useEffect, useState } from 'react'

/**
 * A blob: URL of the bytes `read` gives (read through main, which keeps recent ones in memory:
 * the page may load no remote image, and has no token to ask the server with), revoked when the
 * component unmounts or `key` names other bytes. Null until read, or when reading failed.
 */
export function useBlobUrl(key: string, read: () => Promise<Blob>): string | null {
  const [url, setUrl] = useState<string | null>(null)
  useEffect(() => {
    let current: string | null = null
    let cancelled = false
    read()
      .then((blob) => {
        if (cancelled) return
        current = URL.createObjectURL(blob)
        setUrl(current)
      })
      .catch(() => undefined)
    return () => {
      cancelled = true
      if (current) URL.revokeObjectURL(current)
    }
    // `key` names the bytes: a new `read` closure for the same key reads nothing new.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key])
  return url
}
