import { describe, expect, it } from 'vitest'
import type { ClientConnection } from '../../server/realtime/clientConnection'
import { ConnectionHub } from '../../server/realtime/connectionHub'

/** The hub only reads a connection's userId when registering it. */
const device = (userId: number) => ({ userId }) as ClientConnection

describe('ConnectionHub registration', () => {
  it('counts connections across users and devices as they come and go', () => {
    const hub = new ConnectionHub()
    const [phone, laptop, tablet, other] = [device(1), device(1), device(1), device(2)]

    expect(hub.add(phone)).toBe(true)
    expect(hub.add(laptop)).toBe(false)
    expect(hub.add(tablet)).toBe(false)
    expect(hub.add(other)).toBe(true)
    // Registering the same connection again changes nothing, whether held alone or in a set.
    expect(hub.add(laptop)).toBe(false)
    expect(hub.add(other)).toBe(false)
    expect(hub.size).toBe(4)
    expect([...hub.connections()]).toHaveLength(4)

    expect(hub.remove(tablet)).toBe(false)
    expect(hub.remove(tablet)).toBe(false)
    expect(hub.remove(device(1))).toBe(false)
    expect(hub.size).toBe(3)
    expect(hub.remove(phone)).toBe(false)
    // The user's last connection: reported, and the user is gone.
    expect(hub.remove(laptop)).toBe(true)
    expect(hub.isConnected(1)).toBe(false)
    expect(hub.remove(other)).toBe(true)
    expect(hub.size).toBe(0)
    expect([...hub.connections()]).toEqual([])
  })
})
