import type { IncomingMessage, Server } from 'node:http'
import type { Socket } from 'node:net'

/**
 * Connections that have not sent a request yet, ended when the server closes. Node's close ends
 * idle keep-alive connections but not one that is still waiting for its first request (an HTTP
 * client's pool may open one ahead of need, as Node's fetch does after an aborted download): such
 * a connection would hold the close for the keep-alive timeout (72 s). Nothing was accepted on
 * it, so nothing is lost.
 */
export function trackUnusedConnections(server: Server): { end(): void } {
  const unused = new Set<Socket>()
  const used = (request: IncomingMessage) => unused.delete(request.socket)
  server.on('connection', (socket: Socket) => {
    unused.add(socket)
    socket.once('close', () => unused.delete(socket))
  })
  server.on('request', used)
  server.on('upgrade', used)
  return {
    end() {
      for (const socket of unused) socket.destroy()
      unused.clear()
    },
  }
}
