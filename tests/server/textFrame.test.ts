import { describe, expect, it } from 'vitest'
import { textFrame } from '../../server/realtime/textFrame'

/** Reads a server-to-client frame as RFC 6455 section 5.2 lays it out. */
function parseFrame(frame: Buffer): { fin: boolean; rsv: number; opcode: number; text: string } {
  const first = frame[0]!
  const second = frame[1]!
  expect(second & 0x80).toBe(0) // a server's frames are never masked
  let length = second & 0x7f
  let offset = 2
  if (length === 126) {
    length = frame.readUInt16BE(2)
    offset = 4
  } else if (length === 127) {
    length = Number(frame.readBigUInt64BE(2))
    offset = 10
  }
  expect(frame.length).toBe(offset + length) // exactly one frame, nothing before or after
  return {
    fin: (first & 0x80) !== 0,
    rsv: (first >> 4) & 0x7,
    opcode: first & 0x0f,
    text: frame.subarray(offset).toString('utf8'),
  }
}

describe('textFrame', () => {
  // Payload lengths at each of the three length encodings' edges.
  it.each([0, 1, 125, 126, 127, 65_535, 65_536, 70_000])(
    'frames %i bytes as one final, unmasked text frame',
    (bytes) => {
      const json = 'x'.repeat(bytes)
      expect(parseFrame(textFrame(json))).toEqual({ fin: true, rsv: 0, opcode: 1, text: json })
    },
  )

  it('counts bytes, not characters, in the length', () => {
    // 115 UTF-16 code units, 155 bytes: a length taken from the characters would pick the one-byte
    // form, which cannot hold 155.
    const json = JSON.stringify({ text: 'für dich ✓ 🚀'.repeat(8) })
    expect(json.length).toBeLessThanOrEqual(125)
    expect(Buffer.byteLength(json)).toBeGreaterThan(125)
    expect(parseFrame(textFrame(json)).text).toBe(json)
  })
})
