import { createServer } from 'node:http'
import { Server } from 'socket.io'
import { readConfig } from '../shared'
import { BaselinePresence, BaselineState } from './baseline'
import { announceReady, installProbe } from './probe'

/**
 * Socket.IO 4 doing Tidings' job: websocket transport only, one room per conversation and per
 * user, the same token check at the handshake, the same event JSON (serialized once, broadcast as a
 * string), connection state recovery on. Sends arrive as a `send` event with an ack (the REST POST
 * of Tidings); a socket that connects with `auth.sendOnly` only sends and joins no room, like a
 * REST client.
 */
const config = readConfig()
const state = new BaselineState(config)
const http = createServer()
const io = new Server(http, {
  transports: ['websocket'],
  serveClient: false,
  perMessageDeflate: false,
  connectionStateRecovery: { maxDisconnectionDuration: 2 * 60_000, skipMiddlewares: false },
})

const presence = new BaselinePresence((userId, online) => {
  const rooms = state.layout.conversationsOf(userId).map((id) => `c:${id}`)
  const json = state.event(online ? 'user_online' : 'user_offline', state.person(userId, online))
  io.to(rooms).except(`u:${userId}`).emit('event', json)
})

io.use((socket, next) => {
  const userId = state.authenticate((socket.handshake.auth as { token?: unknown }).token)
  if (userId === undefined) {
    next(new Error('unauthorized'))
    return
  }
  socket.data.userId = userId
  socket.data.sendOnly = (socket.handshake.auth as { sendOnly?: unknown }).sendOnly === true
  next()
})

io.on('connection', (socket) => {
  const userId = socket.data.userId as number
  const sendOnly = socket.data.sendOnly as boolean
  if (!sendOnly) {
    // A recovered socket gets its rooms back from the recovery session.
    if (!socket.recovered) {
      void socket.join([
        `u:${userId}`,
        ...state.layout.conversationsOf(userId).map((id) => `c:${id}`),
      ])
    }
    presence.connected(userId)
    socket.on('disconnect', () => presence.disconnected(userId))
  }
  socket.on(
    'send',
    (
      body: { conversation_id: number; text: string; client_id: string },
      ack: (reply: unknown) => void,
    ) => {
      if (typeof ack !== 'function') return
      if (!state.isMember(body.conversation_id, userId)) {
        ack({ status: 'error', error: { code: 'forbidden' } })
        return
      }
      const { message, sent, received } = state.message(
        userId,
        body.conversation_id,
        body.text,
        body.client_id,
      )
      io.to(`u:${userId}`).emit('event', sent)
      io.to(`c:${body.conversation_id}`).except(`u:${userId}`).emit('event', received)
      ack({ status: 'success', data: message })
    },
  )
})

await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve))
const address = http.address()
installProbe(async () => {
  await io.close()
})
announceReady(typeof address === 'object' && address ? address.port : 0)
