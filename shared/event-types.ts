/** Every type of engine event (EngineEventSchema's `type`). Plain data: loading it costs nothing. */
export const EVENT_TYPES = [
  'login',
  'logout',
  'token.issued',
  'token.refreshed',
  'token.introspected',
  'token.revoked',
  /** A bulk revocation (a grant, a user's or a client's tokens): one event with the count. */
  'tokens.revoked',
  'token.reuse_detected',
  'code.reuse_detected',
  'tokens.purged',
  'key.rotated',
  'key.staged',
  'key.activated',
  'key.retired',
  'settings.changed',
  'user.created',
  'user.updated',
  'user.deleted',
  'client.created',
  'client.updated',
  'client.deleted',
  'workspace.imported',
  'workspace.reset',
  'issuer.created',
  'issuer.updated',
  'issuer.deleted',
  'fault.added',
  'fault.removed',
  /** A fault turned itself off: its requests were used or its time ran out. */
  'fault.expired',
  'faults.cleared',
  /** RFC 8628: a device asked for a user code; the user approved or denied it (page or admin). */
  'device.requested',
  'device.approved',
  'device.denied',
  /**
   * A protocol request's outcome (token, userinfo, introspection, revocation, device authorization,
   * logout, authorize errors sent to the client): endpoint, status, OAuth error, duration. Its redacted
   * HTTP exchange is read with events.request.
   */
  'request',
  /** The Inspector re-signed an edited token with the provider's key (lab.resign): not issued, not stored. */
  'lab.resigned',
] as const;
