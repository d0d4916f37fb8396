import { describe, expect, it } from 'vitest'
import {
  DEFAULT_BACKOFF,
  backoffCeilingMs,
  fullJitterDelayMs,
} from '../../../src/main/core/backoff'

describe('reconnect backoff (exponential, full jitter)', () => {
  it('doubles the ceiling from 500 ms per attempt up to the 30 s cap', () => {
    const ceilings = [0, 1, 2, 3, 4, 5, 6, 7, 20].map((n) => backoffCeilingMs(n, DEFAULT_BACKOFF))
    expect(ceilings).toEqual([500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000])
  })

  it('never overflows for absurd attempt counts', () => {
    expect(backoffCeilingMs(10_000, DEFAULT_BACKOFF)).toBe(30_000)
    expect(backoffCeilingMs(-3, DEFAULT_BACKOFF)).toBe(500)
  })

  it('draws the delay uniformly between zero and the ceiling', () => {
    expect(fullJitterDelayMs(3, DEFAULT_BACKOFF, () => 0)).toBe(0)
    expect(fullJitterDelayMs(3, DEFAULT_BACKOFF, () => 0.5)).toBe(2000)
    expect(fullJitterDelayMs(3, DEFAULT_BACKOFF, () => 0.999_999)).toBe(3999)
    expect(fullJitterDelayMs(12, DEFAULT_BACKOFF, () => 0.25)).toBe(7500)
  })

  it('clamps a misbehaving random source into the window', () => {
    expect(fullJitterDelayMs(0, DEFAULT_BACKOFF, () => 7)).toBe(500)
    expect(fullJitterDelayMs(0, DEFAULT_BACKOFF, () => -1)).toBe(0)
  })

  it('spreads many clients over the window instead of synchronizing them', () => {
    let seed = 42
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31
      return seed / 2 ** 31
    }
    const delays = Array.from({ length: 1000 }, () => fullJitterDelayMs(4, DEFAULT_BACKOFF, random))
    expect(Math.min(...delays)).toBeLessThan(800)
    expect(Math.max(...delays)).toBeGreaterThan(7200)
    expect(new Set(delays).size).toBeGreaterThan(500)
  })
})
