/**
 * Online/offline per user, not per socket: user_online on the first connection, user_offline only
 * after the last one has been closed for a grace period, so a reconnecting client (a network blip,
 * a reload, a server node that died and whose clients came back on another) does not flap its
 * presence for everyone who shares a conversation with it. On one node the state is in memory
 * (localPresence); in a cluster each node records whose connections it holds, and the database
 * decides the cluster-wide transitions (postgres/clusterPresence).
 */
export interface Presence {
  /**
   * The user's first connection to this node opened. Resolves once their online (if this made
   * them online) is stored and delivered, so that the connection is greeted after it: whoever
   * acts on the greeting finds the user online everywhere.
   */
  connected(userId: number): Promise<void>
  /** The user's last connection to this node closed. */
  disconnected(userId: number): void
  /** The users online now (anywhere in the cluster). */
  onlineUserIds(): Promise<ReadonlySet<number>>
  /** Stops announcing (shutdown): clients reload presence when they reconnect. */
  stop(): Promise<void>
}
