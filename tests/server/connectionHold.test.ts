import { EventEmitter } from 'node:events'
import type { Duplex } from 'node:stream'
import { WebSocket } from 'ws'
import { describe, expect, it } from 'vitest'
import { ClientConnection, type ConnectionOwner } from '../../server/realtime/clientConnection'
import type { OutgoingEvent } from '../../server/storage/eventSink'

/**
 * What a connection does with stored events delivered while its replay is written (not live): it
 * holds them for the replay (streamSession's catchUp) rather than sending them, up to a page's
 * worth; past that it keeps none, so the replay reads them from the log. The replay-to-live
 * handoff as a client sees it is tested end to end in resume.test.ts and resumeEveryPosition.
 */
describe('a connection that is not live yet', () => {
  function connection() {
    const socket = Object.assign(new EventEmitter(), {
      readyState: WebSocket.OPEN,
      bufferedAmount: 0,
    }) as unknown as WebSocket
    const written: Buffer[] = []
    const transport = { write: (frame: Buffer) => written.push(frame) } as unknown as Duplex
    const owner = {} as ConnectionOwner
    return { connection: new ClientConnection(socket, transport, 1, 'hash', owner), written }
  }
  const event = (id: number): OutgoingEvent => ({
    type: 'message_received',
    id,
    json: `{"id":${id}}`,
    audience: [1],
  })
  const deliver = (to: ClientConnection, ...ids: number[]) => {
    for (const id of ids) to.sendEvent(event(id), Buffer.from(`frame ${id}`))
  }

  it('holds the stored events delivered meanwhile and hands over those past what the replay read', () => {
    const { connection: c, written } = connection()
    c.live = false
    deliver(c, 5, 6, 7)
    expect(written).toEqual([])
    // The replay read up to 5 (it holds 5 already) and found the watermark at 6.
    expect(c.takeHeld(5, 6)).toEqual([{ id: 6, payload: '{"id":6}' }])
    // 7 came after that look at the watermark: it stays for the next take.
    deliver(c, 8)
    expect(c.takeHeld(6, 8)).toEqual([
      { id: 7, payload: '{"id":7}' },
      { id: 8, payload: '{"id":8}' },
    ])
    expect(c.takeHeld(8, 8)).toEqual([])
    c.live = true
    deliver(c, 9)
    expect(written.map(String)).toEqual(['frame 9'])
  })

  it('keeps none once more than a page came, so that the replay reads them from the log', () => {
    const { connection: c } = connection()
    c.live = false
    deliver(c, ...Array.from({ length: 1001 }, (_, i) => i + 1))
    expect(c.takeHeld(0, 1001)).toBeUndefined()
    // Still none for the rest of this replay, even for what comes later.
    deliver(c, 1002)
    expect(c.takeHeld(1001, 1002)).toBeUndefined()
    // A new replay (not live again) holds afresh.
    c.live = true
    c.live = false
    deliver(c, 1003)
    expect(c.takeHeld(1002, 1003)).toEqual([{ id: 1003, payload: '{"id":1003}' }])
  })
})
