import { createServer } from 'node:http'
import { WebSocketServer, type WebSocket } from 'ws'
import { readConfig } from '../shared'
import { BaselinePresence, BaselineState } from './baseline'
import { announceReady, installProbe } from './probe'

/**
 * The floor: bare `ws`, the same token check at the upgrade (HTTP 401 otherwise), and the same JSON
 * relayed to the same sockets. Nothing is stored, so there is no resume. A `send` frame stands for
 * Tidings' REST POST and is answered with an `ack` frame; `?send_only=1` sockets receive no events.
 */
const config = readConfig()
const state = new BaselineState(config)
const sockets = new Map<number, Set<WebSocket>>()
const http = createServer((_request, response) => {
  response.writeHead(404).end()
})
const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: 64 * 1024 })

const deliver = (userIds: Iterable<number>, json: string, except?: number) => {
  for (const userId of userIds) {
    if (userId === except) continue
    const set = sockets.get(userId)
    if (set) for (const socket of set) socket.send(json)
  }
}

const presence = new BaselinePresence((userId, online) => {
  const json = state.event(online ? 'user_online' : 'user_offline', state.person(userId, online))
  deliver(state.peersOf(userId), json)
})

http.on('upgrade', (request, socket, head) => {
  const url = new URL(request.url ?? '/', 'http://localhost')
  const userId = state.authenticate(url.searchParams.get('token'))
  if (userId === undefined) {
    socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n')
    return
  }
  const sendOnly = url.searchParams.get('send_only') === '1'
  wss.handleUpgrade(request, socket, head, (ws) => {
    ws.send(JSON.stringify({ type: 'connection_established', user_id: userId }))
    if (!sendOnly) {
      let set = sockets.get(userId)
      if (!set) {
        set = new Set()
        sockets.set(userId, set)
      }
      set.add(ws)
      presence.connected(userId)
      ws.on('close', () => {
        const mine = sockets.get(userId)
        mine?.delete(ws)
        if (mine?.size === 0) sockets.delete(userId)
        presence.disconnected(userId)
      })
    }
    ws.on('error', () => ws.terminate())
    ws.on('message', (data) => {
      let frame: {
        type?: string
        conversation_id: number
        text: string
        client_id: string
        req: number
      }
      try {
        frame = JSON.parse(String(data)) as typeof frame
      } catch {
        return
      }
      if (frame.type !== 'send') return
      if (!state.isMember(frame.conversation_id, userId)) {
        ws.send(JSON.stringify({ type: 'ack', req: frame.req, status: 'error' }))
        return
      }
      const { message, sent, received } = state.message(
        userId,
        frame.conversation_id,
        frame.text,
        frame.client_id,
      )
      deliver([userId], sent)
      deliver(state.memberIds(frame.conversation_id), received, userId)
      ws.send(JSON.stringify({ type: 'ack', req: frame.req, status: 'success', data: message }))
    })
  })
})

await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve))
const address = http.address()
installProbe(async () => {
  for (const set of sockets.values()) for (const ws of set) ws.terminate()
  wss.close()
  http.close()
})
announceReady(typeof address === 'object' && address ? address.port : 0)
