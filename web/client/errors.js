// Error codes and the error class of the idagent client.
//
// The agent's codes (docs/PROTOCOL.md §6) come first; the client adds its
// own for what only the browser side can see (the agent is not running, the
// browser refused the permission, the connection dropped).

/** Every error code the client can report, agent and client side. */
export const ErrorCode = Object.freeze({
  // Agent codes (docs/PROTOCOL.md §6).
  BAD_REQUEST: 'BAD_REQUEST',
  UNKNOWN_REQUEST: 'UNKNOWN_REQUEST',
  BAD_STATE: 'BAD_STATE',
  BUSY: 'BUSY',
  TIMEOUT: 'TIMEOUT',
  CANCELLED: 'CANCELLED',
  ORIGIN_NOT_ALLOWED: 'ORIGIN_NOT_ALLOWED',
  PCSC_UNAVAILABLE: 'PCSC_UNAVAILABLE',
  NO_READER: 'NO_READER',
  READER_REMOVED: 'READER_REMOVED',
  NO_CARD: 'NO_CARD',
  CARD_REMOVED: 'CARD_REMOVED',
  CARD_UNSUPPORTED: 'CARD_UNSUPPORTED',
  ACCESS_DENIED: 'ACCESS_DENIED',
  CHIP_AUTH_TOKEN_INVALID: 'CHIP_AUTH_TOKEN_INVALID',
  READ_INCOMPLETE: 'READ_INCOMPLETE',
  INTERNAL: 'INTERNAL',
  // Client codes.
  AGENT_NOT_RUNNING: 'AGENT_NOT_RUNNING',
  PERMISSION_DENIED: 'PERMISSION_DENIED',
  HOST_NOT_ALLOWED: 'HOST_NOT_ALLOWED',
  CONNECTION_FAILED: 'CONNECTION_FAILED',
  CONNECTION_LOST: 'CONNECTION_LOST',
  PROTOCOL_UNSUPPORTED: 'PROTOCOL_UNSUPPORTED',
  REQUEST_TIMEOUT: 'REQUEST_TIMEOUT',
  CLOSED: 'CLOSED',
  INVALID_KEY: 'INVALID_KEY',
});

// Whether a client-side code is worth retrying as is.
const clientRetryable = {
  AGENT_NOT_RUNNING: true,
  PERMISSION_DENIED: false,
  HOST_NOT_ALLOWED: false,
  CONNECTION_FAILED: true,
  CONNECTION_LOST: true,
  PROTOCOL_UNSUPPORTED: false,
  REQUEST_TIMEOUT: true,
  CLOSED: false,
  INVALID_KEY: false,
  ORIGIN_NOT_ALLOWED: false,
};

/**
 * An error of the agent or of the client. `code` is one of ErrorCode (an
 * agent newer than this client may send codes this list does not know:
 * decide by `retryable` then).
 */
export class IdAgentError extends Error {
  /**
   * @param {string} code
   * @param {string} message
   * @param {{retryable?: boolean, readId?: string, cause?: unknown, status?: number}} [opts]
   */
  constructor(code, message, opts = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'IdAgentError';
    this.code = code;
    this.retryable = opts.retryable ?? clientRetryable[code] ?? false;
    if (opts.readId !== undefined) this.readId = opts.readId;
    if (opts.status !== undefined) this.status = opts.status;
  }

  /** Builds an error from the agent's `{code, message, retryable}`. */
  static fromWire(err, readId) {
    const e = err && typeof err === 'object' ? err : {};
    return new IdAgentError(
      typeof e.code === 'string' ? e.code : ErrorCode.INTERNAL,
      typeof e.message === 'string' ? e.message : 'the agent reported an error without a message',
      { retryable: !!e.retryable, readId },
    );
  }
}
