import { describe, expect, it } from 'vitest'
import { chosenServer } from '../../../src/main/core/storedServerUrl'
import { DEFAULT_PREFERENCES } from '../../../src/shared/preferences'

describe('the server the stored preferences choose', () => {
  const prefs = (
    server_url: string | null,
    unencrypted_server_confirmed: string | null = null,
  ) => ({
    ...DEFAULT_PREFERENCES,
    server_url,
    unencrypted_server_confirmed,
  })

  it('is the stored one, or the bundled server', () => {
    expect(chosenServer(prefs(null))).toEqual({ url: null, refused: null })
    for (const url of ['https://chat.example.com', 'http://127.0.0.1:8000', 'http://localhost:9']) {
      expect(chosenServer(prefs(url))).toEqual({ url, refused: null })
    }
  })

  it('is not a plain-http remote the user did not confirm (an older version stored it unasked)', () => {
    const url = 'http://chat.example.com:8000'
    expect(chosenServer(prefs(url))).toEqual({ url: null, refused: url })
    expect(chosenServer(prefs(url, 'http://other.example.com'))).toEqual({
      url: null,
      refused: url,
    })
    expect(chosenServer(prefs(url, url))).toEqual({ url, refused: null })
  })
})
