import Fastify, { type RouteOptions } from 'fastify'
import websocket from '@fastify/websocket'
import rateLimit from '@fastify/rate-limit'
import swagger from '@fastify/swagger'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { CloseCode } from '../src/shared/closeCodes'
import { Limits } from '../src/shared/limits'
import { resolveOptions, type ServerOptions } from './config'
import { frameworkErrors, installErrorHandling } from './http/errorHandling'
import { HttpError } from './http/httpError'
import { OPEN_API_OPTIONS } from './http/openApi'
import { limitBodyTime, limitConnections } from './http/connectionLimits'
import { checkHost, hostPolicy } from './http/hostCheck'
import { validatorFor } from './http/validation'
import { startHeartbeat } from './realtime/heartbeat'
import { adminRoutes } from './routes/adminRoutes'
import { authRoutes } from './routes/authRoutes'
import { brandingRoutes } from './routes/brandingRoutes'
import { conversationRoutes } from './routes/conversationRoutes'
import { eventRoutes } from './routes/eventRoutes'
import { exportRoutes } from './routes/exportRoutes'
import { accountRoutes } from './routes/accountRoutes'
import { attachmentRoutes } from './routes/attachmentRoutes'
import { auditRoutes } from './routes/auditRoutes'
import { contactRoutes } from './routes/contactRoutes'
import { docsRoutes } from './routes/docsRoutes'
import { healthRoutes } from './routes/healthRoutes'
import { integrationRoutes } from './routes/integrationRoutes'
import { messageRoutes } from './routes/messageRoutes'
import { peopleRoutes } from './routes/peopleRoutes'
import { reactionRoutes } from './routes/reactionRoutes'
import { threadRoutes } from './routes/threadRoutes'
import { linkPreviewRoutes } from './routes/linkPreviewRoutes'
import { retentionRoutes } from './routes/retentionRoutes'
import { searchRoutes } from './routes/searchRoutes'
import { userRoutes } from './routes/userRoutes'
import { buildServerContext } from './buildServerContext'
import { periodicJob } from './cluster/periodicJob'

export type { ServerOptions } from './config'

export interface RunningServer {
  port: number
  host: string
  /** http://host:port */
  url: string
  dataDir: string
  /**
   * Every route as registered (HEAD twins of GETs included), for tests that hold each route to
   * a rule, such as having response schemas (tests/server/responseSchemas.test.ts).
   */
  routes: readonly RouteOptions[]
  /** Graceful stop: refuse new work, close sockets with 1001, close the database. */
  close(): Promise<void>
}

const PRUNE_INTERVAL_MS = 60 * 60 * 1000
const DAY_MS = 24 * 60 * 60 * 1000
/** How often uploads that no message claimed within their day are removed. */
const ATTACHMENT_SWEEP_INTERVAL_MS = 60 * 60 * 1000
const LISTEN_BACKLOG = 4096
/** How long a shutdown waits for the sends being stored to be (and acked) before closing. */
const SENDS_DRAIN_MS = 5_000

/** Builds and starts the events server; resolves once it listens and is ready. */
export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const opts = resolveOptions(options)
  const app = Fastify({
    logger: {
      level: opts.logLevel,
      stream: opts.logDestination,
      // Logs must never carry tokens: a request is logged as its method and path only.
      serializers: {
        req: (request: { method: string; url: string }) => ({
          method: request.method,
          path: request.url.split('?')[0],
        }),
      },
    },
    bodyLimit: 256 * 1024,
    // Node's limit on receiving a whole request: a backstop behind the deadlines of bodies and
    // uploads (http/connectionLimits), which answer in the envelope first.
    requestTimeout: opts.headersTimeoutMs + opts.uploadTimeoutMs + 10_000,
    // Requests that come while the server closes get the envelope (see the onRequest hook below),
    // not Fastify's own 503 body; so do its router's 400 and 414.
    return503OnClosing: false,
    frameworkErrors,
    trustProxy: opts.trustProxy,
  }).withTypeProvider<TypeBoxTypeProvider>()
  limitConnections(app, opts)
  // JSON only: Fastify's default text/plain parser would hand a route a string, which its schema
  // then refuses with 400 where a body that is not JSON is a 415.
  app.removeContentTypeParser('text/plain')
  const services = await buildServerContext(opts, app.log)
  const { ctx, messageIndex } = services
  const { hub, unitOfWork, presence, attachments, leases, integrations } = ctx
  await services.start()

  // Upkeep: once now, then by whichever node holds its lease (every node of a cluster could run
  // it, but one is enough).
  const prune = async () => {
    // Events carry what messages said: none outlives the messages' own retention either.
    const eventCutoff = new Date(Date.now() - opts.retentionMs).toISOString()
    const messageCutoff = await ctx.messageRetention.cutoff()
    await ctx.retention.prune(
      messageCutoff !== undefined && messageCutoff > eventCutoff ? messageCutoff : eventCutoff,
    )
  }
  const logError = (what: string) => (error: unknown) => app.log.error({ err: error }, what)
  let closingDown = false
  const sweepExpired = async () => {
    if ((await ctx.messageRetention.sweep(() => closingDown)) > 0) await prune()
  }
  await sweepExpired()
  // The audit log is kept for its retention period and never beyond its most entries.
  const pruneAudit = () =>
    ctx.audit.prune({
      maxAgeMs: opts.auditRetentionDays * DAY_MS,
      maxEntries: opts.auditMaxEntries,
    })
  await prune()
  await pruneAudit()
  await attachments.sweepUnsent()
  leases.hold('prune', periodicJob(PRUNE_INTERVAL_MS, prune, logError('event pruning failed')))
  const retentionSweep = periodicJob(
    opts.messageRetentionSweepMs,
    sweepExpired,
    logError('message retention sweep failed'),
  )
  services.setRetentionSweep(retentionSweep)
  leases.hold('message-retention', retentionSweep)
  leases.hold(
    'audit-prune',
    periodicJob(PRUNE_INTERVAL_MS, pruneAudit, logError('audit log pruning failed')),
  )
  leases.hold(
    'attachment-sweep',
    periodicJob(
      ATTACHMENT_SWEEP_INTERVAL_MS,
      () => attachments.sweepUnsent(),
      logError('attachment sweep failed'),
    ),
  )

  app.setValidatorCompiler(validatorFor)
  app.decorateRequest('caller', null)
  // Group commit (see UnitOfWork): no response leaves before what its request wrote is committed.
  app.addHook('onSend', async () => {
    await unitOfWork.durable()
  })
  installErrorHandling(app, ctx.storage)
  await app.register(rateLimit, {
    global: false,
    ...(services.rateLimitStore ? { store: services.rateLimitStore } : {}),
    hook: 'preHandler',
    errorResponseBuilder: (_request, context) =>
      new HttpError(429, 'rate_limited', `Too many attempts; try again in ${context.after}.`),
  })
  await app.register(websocket, {
    options: {
      maxPayload: Limits.maxFrameBytes,
      // No compression: it would cost a zlib context per socket and CPU per frame.
      perMessageDeflate: false,
      // The hub already tracks every open connection (and close() ends them); ws's own Set would
      // cost an entry and a 'close' closure per socket.
      clientTracking: false,
    },
  })
  // The first hooks of every route (after @fastify/websocket's, which marks an upgrade request
  // so that its socket is ended once refused): a Host header this server does not answer (DNS
  // rebinding) is refused, and so is everything once the server is closing.
  const hosts = hostPolicy(opts.host, opts.publicUrls)
  if (hosts.anyHost) {
    app.log.warn(
      `listening on ${opts.host} without --public-url: requests for any host name are answered; name the URLs clients use to refuse the others (DNS rebinding)`,
    )
  }
  app.addHook('onRequest', checkHost(hosts))
  limitBodyTime(app, opts.bodyTimeoutMs)
  // Set as soon as close() begins: what arrives after it is answered 503 in the envelope (and the
  // connection closed), before any route touches services that are stopping.
  let closing: Promise<void> | undefined
  app.addHook('onRequest', async (_request, reply) => {
    if (!closing) return
    reply.header('connection', 'close')
    throw new HttpError(503, 'shutting_down', 'The server is shutting down; try again shortly.')
  })
  // Before the routes: @fastify/swagger and this list see each route as it is registered.
  const routes: RouteOptions[] = []
  app.addHook('onRoute', (route) => {
    routes.push(route)
  })
  await app.register(swagger, OPEN_API_OPTIONS)
  for (const plugin of [
    healthRoutes,
    docsRoutes,
    authRoutes,
    userRoutes,
    exportRoutes,
    adminRoutes,
    retentionRoutes,
    peopleRoutes,
    auditRoutes,
    brandingRoutes,
    conversationRoutes,
    messageRoutes,
    reactionRoutes,
    threadRoutes,
    linkPreviewRoutes,
    attachmentRoutes,
    searchRoutes,
    eventRoutes,
    contactRoutes,
    accountRoutes,
    integrationRoutes,
  ]) {
    await app.register(plugin, { ctx })
  }

  const stopHeartbeat = startHeartbeat(hub, opts.heartbeatIntervalMs)
  const stopIndexing = messageIndex.startBackground(opts.searchIndexIntervalMs, (error) =>
    app.log.error({ err: error }, 'search indexing failed'),
  )
  // A deep accept queue: after a restart or a network outage every client of the team comes back
  // within seconds, and a connection the queue has no room for is dropped, which costs its client
  // a 1 s, then 3 s, then 7 s SYN retransmission. Linux caps this at net.core.somaxconn.
  await app.listen({ port: opts.port, host: opts.host, backlog: LISTEN_BACKLOG })
  await integrations.start()
  const address = app.server.address()
  const port = typeof address === 'object' && address ? address.port : opts.port
  const hostForUrl = opts.host.includes(':') ? `[${opts.host}]` : opts.host

  const close = () => {
    closing ??= (async () => {
      closingDown = true
      stopHeartbeat()
      // Sockets take no more frames; the sends already being stored are, and their batch is
      // committed (which sends their acks) before the close frames: a client is never told
      // "going away" after a send was stored without its ack.
      await hub.stopTaking(SENDS_DRAIN_MS)
      await unitOfWork.flush()
      await presence.stop()
      for (const connection of [...hub.connections()]) {
        connection.close(CloseCode.GoingAway, 'server shutting down')
      }
      // Stop accepting at once, not after the mail connections have logged out (seconds): a
      // client told 1001 reconnects at once, and one let in meanwhile was never closed, so the
      // close waited on it for as long as it stayed.
      await Promise.all([app.close(), integrations.stop(), stopIndexing()])
      await ctx.lastSeen.stop()
      await services.close()
    })()
    return closing
  }

  return {
    port,
    host: opts.host,
    url: `http://${hostForUrl}:${port}`,
    dataDir: opts.dataDir,
    routes,
    close,
  }
}
