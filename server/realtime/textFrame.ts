import { Sender } from 'ws'

/** The options of ws's `Sender.frame` that a server's unmasked, unfragmented text frame uses. */
interface FrameOptions {
  fin: boolean
  opcode: number
  mask: boolean
  readOnly: boolean
  rsv1: boolean
}

// ws made its framing function a static and exports it (websockets/ws#1016) so that a server can
// frame a broadcast once for all its sockets; @types/ws does not declare it.
declare module 'ws' {
  class Sender {
    static frame(data: Buffer, options: FrameOptions): Buffer[]
  }
}

const TEXT_FRAME: FrameOptions = {
  fin: true,
  opcode: 0x1,
  mask: false,
  readOnly: false,
  rsv1: false,
}

/**
 * JSON as one complete WebSocket text frame (header and payload in one Buffer). An event is framed
 * once and the same bytes are written to every socket of its audience: `ws.send` would build a
 * header and its option objects per socket and hand the socket two chunks to write.
 */
export function textFrame(json: string): Buffer {
  // The header, then the payload unless it is empty.
  return Buffer.concat(Sender.frame(Buffer.from(json), TEXT_FRAME))
}
