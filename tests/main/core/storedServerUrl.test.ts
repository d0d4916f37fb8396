import { describe, expect, it } from 'vitest'
import { legacyServerUrl } from '../../../src/main/core/storedServerUrl'

describe('the server an earlier version chose', () => {
  it('is the stored one, normalized, or the bundled server', () => {
    expect(legacyServerUrl(null)).toEqual({ url: null, refused: null })
    expect(legacyServerUrl({ server_url: null })).toEqual({ url: null, refused: null })
    expect(legacyServerUrl({ server_url: 'ftp://chat.example.com' })).toEqual({
      url: null,
      refused: null,
    })
    for (const url of ['https://chat.example.com', 'http://127.0.0.1:8000', 'http://localhost:9']) {
      expect(legacyServerUrl({ server_url: `${url}/` })).toEqual({ url, refused: null })
    }
  })

  it('is not a plain-http remote the user did not confirm (an older version stored it unasked)', () => {
    const url = 'http://chat.example.com:8000'
    expect(legacyServerUrl({ server_url: url })).toEqual({ url: null, refused: url })
    expect(
      legacyServerUrl({
        server_url: url,
        unencrypted_server_confirmed: 'http://other.example.com',
      }),
    ).toEqual({ url: null, refused: url })
    expect(legacyServerUrl({ server_url: url, unencrypted_server_confirmed: url })).toEqual({
      url,
      refused: null,
    })
  })
})
