// Types of @idagent/client (docs/PROTOCOL.md, WebSocket API v1).

export {
  isValidID12, id12Info, normalizeDigits, parseQR, looksLikeQR, accessKeyFromInput,
  looksLikeDocumentNumber, mrzDateFromInput, passportKey, formatDG13Date, parseDG13Date, formatMRZDate, toMRZDate, ParsedQR,
} from './cccd.js';

export const VERSION: string;
export const PROTOCOL_VERSIONS: readonly number[];
/** The agent that served the module (imported from `…/v1/client/idagent.js`), else 'http://127.0.0.1:20606'. */
export const DEFAULT_URL: string;

/** Every code an IdAgentError can carry (agent codes, then client codes). */
export const ErrorCode: {
  readonly BAD_REQUEST: 'BAD_REQUEST';
  readonly UNKNOWN_REQUEST: 'UNKNOWN_REQUEST';
  readonly BAD_STATE: 'BAD_STATE';
  readonly BUSY: 'BUSY';
  readonly TIMEOUT: 'TIMEOUT';
  readonly CANCELLED: 'CANCELLED';
  readonly ORIGIN_NOT_ALLOWED: 'ORIGIN_NOT_ALLOWED';
  readonly PCSC_UNAVAILABLE: 'PCSC_UNAVAILABLE';
  readonly NO_READER: 'NO_READER';
  readonly READER_REMOVED: 'READER_REMOVED';
  readonly NO_CARD: 'NO_CARD';
  readonly CARD_REMOVED: 'CARD_REMOVED';
  readonly CARD_UNSUPPORTED: 'CARD_UNSUPPORTED';
  readonly ACCESS_DENIED: 'ACCESS_DENIED';
  /** The chip accepted the key but its own PACE/BAC proof does not verify: not a genuine chip (a clone or a relay). Never a wrong key. */
  readonly CHIP_AUTH_TOKEN_INVALID: 'CHIP_AUTH_TOKEN_INVALID';
  readonly READ_INCOMPLETE: 'READ_INCOMPLETE';
  readonly INTERNAL: 'INTERNAL';
  /** Nothing answers at the agent's address. */
  readonly AGENT_NOT_RUNNING: 'AGENT_NOT_RUNNING';
  /** The browser's Local Network Access permission was denied. */
  readonly PERMISSION_DENIED: 'PERMISSION_DENIED';
  /** The agent refuses the Host name the page used. */
  readonly HOST_NOT_ALLOWED: 'HOST_NOT_ALLOWED';
  /** The agent answered /v1/health but the WebSocket failed. */
  readonly CONNECTION_FAILED: 'CONNECTION_FAILED';
  /** The connection dropped while a request or read was under way. */
  readonly CONNECTION_LOST: 'CONNECTION_LOST';
  readonly PROTOCOL_UNSUPPORTED: 'PROTOCOL_UNSUPPORTED';
  readonly REQUEST_TIMEOUT: 'REQUEST_TIMEOUT';
  /** close() was called. */
  readonly CLOSED: 'CLOSED';
  /** accessKeyFromInput/parseQR could not make a key of the text. */
  readonly INVALID_KEY: 'INVALID_KEY';
};
export type ErrorCodeName = keyof typeof ErrorCode;

export class IdAgentError extends Error {
  readonly name: 'IdAgentError';
  /** One of ErrorCode, or a newer agent code this client does not know. */
  readonly code: ErrorCodeName | (string & {});
  /** Whether trying again as is can work. */
  readonly retryable: boolean;
  readonly readId?: string;
  /** HTTP status of /v1/health when that is what failed. */
  readonly status?: number;
  /** INVALID_KEY: the part of the key that is wrong or missing ('documentNumber', 'dateOfBirth', 'dateOfExpiry', 'oldIdNumber'). */
  readonly field?: string;
  constructor(code: string, message: string, opts?: { retryable?: boolean; readId?: string; cause?: unknown; status?: number });
  static fromWire(err: { code: string; message: string; retryable: boolean }, readId?: string): IdAgentError;
}

export type AccessKey =
  | { can: string }
  | { id12: string }
  | { mrz: string }
  | { documentNumber: string; dateOfBirth: string; dateOfExpiry: string }
  | { qr: string };

export type FieldName =
  | 'idNumber' | 'fullName' | 'surname' | 'givenNames' | 'dateOfBirth' | 'sex' | 'nationality'
  | 'nationalityCode' | 'ethnicity' | 'religion' | 'placeOfOrigin' | 'placeOfResidence'
  | 'identifyingMarks' | 'dateOfIssue' | 'dateOfExpiry' | 'fatherName' | 'motherName' | 'spouseName'
  | 'oldIdNumber' | 'documentNumber' | 'documentType' | 'documentCode' | 'issuingState'
  | 'placeOfBirth' | 'personalNumber' | 'mrz';

/** Identity fields (docs/PROTOCOL.md §4). Dates are ISO, possibly partial. */
export type Fields = Partial<Record<Exclude<FieldName, 'sex' | 'documentType' | 'dateOfExpiry'>, string>> & {
  sex?: 'M' | 'F' | 'X';
  documentType?: 'id-card' | 'passport' | 'other';
  /** null for a card that does not expire. */
  dateOfExpiry?: string | null;
  [name: string]: string | null | undefined;
};

export type CheckStatus = 'PASS' | 'FAIL' | 'WARN' | 'UNKNOWN' | 'NOT_SUPPORTED' | 'SKIPPED';
export interface Check {
  /** sod.signature, ds.chain, dg.hash.DG1, active.authentication, ... */
  name: string;
  status: CheckStatus;
  /** Stable code for programs ('' when none). */
  reason: string;
  /** English sentence for developers. */
  message: string;
}

export interface Reader {
  name: string;
  cardPresent: boolean;
  atr?: string;
  busy?: boolean;
}

export interface Hello {
  agent: 'idagent';
  version: string;
  protocol: number;
  capabilities: string[];
  simulate: boolean;
  readers: Reader[];
  trust: { state: string; anchors: number; test: boolean };
  policy: { fields: FieldName[]; photo: boolean; evidence: boolean };
  /** `idagent run --simulate` only: what sim.insert accepts. */
  sim?: { profiles: string[]; tampers: string[] };
}

export interface Health {
  agent: 'idagent';
  version: string;
  protocol: number[];
  simulate: boolean;
  pcsc: 'ok' | 'unavailable';
  readers: Reader[];
  trust: { state: 'loaded' | 'empty' | 'test' | 'error'; anchors: number; test: boolean };
}

export type Phase = 'waiting' | 'connecting' | 'access' | 'reading' | 'verifying' | 'photo' | 'done';
export interface ProgressEvent { readId: string; phase: Phase; percent: number }
export interface IdentityEvent { readId: string; fields: Fields; withheld: string[]; checks: Check[] }
export interface PhotoEvent { readId: string; mime: string; base64: string }
export interface Photo { mime: string; base64: string }

/** How the chip was opened (docs/PROTOCOL.md, read.result). */
export interface AccessControl {
  mechanism: 'PACE-GM' | 'PACE-IM' | 'PACE-CAM' | 'BAC';
  password: 'CAN' | 'MRZ';
  protocol?: string;
  cipher: '3DES' | 'AES-128' | 'AES-192' | 'AES-256';
  domain?: string;
  parameterId?: number;
  /** True when the chip offers PACE but was opened with BAC. */
  fallback: boolean;
  fallbackReason?: string;
}

/**
 * Raw files (base64) for a backend to verify the read itself, and what the
 * agent observed (`desk`): post it to the verification service
 * (docs/VERIFIER.md).
 */
export interface Evidence {
  sod: string;
  dataGroups: Record<string, string>;
  cardAccess?: string;
  cardSecurity?: string;
  challenge?: string;
  activeAuthSignature?: string;
  activeAuthPublicKey?: string;
  activeAuthAlgorithm?: string;
  activeAuthHash?: string;
  /** What only the agent saw (docs/PROTOCOL.md read.result). */
  desk?: DeskObservations;
}

/** The agent's observations in the evidence; a backend counts them only where they lower the verdict. */
export interface DeskObservations {
  access?: AccessControl & { attempts: number };
  chipAuthentication?: {
    mechanism: 'CA' | 'PACE-CAM'; protocol?: string; keySource: 'DG14' | 'EF.CardSecurity';
    status: string; error?: string; repeated?: number; unconfirmed?: boolean;
  };
  activeAuthentication?: { status: string; error?: string };
  refused?: Array<{ name: string; dg?: number; status: 'absent' | 'protected' | 'skipped' | 'failed'; error?: string }>;
}

/** What readForBackend resolves with: post `{challenge, evidence}` to your backend. */
export interface BackendRead {
  /** The challenge the chip signed (the one given). */
  challenge: string;
  evidence: Evidence;
  readId: string;
  /** The desk's own result, for showing progress only: never trust it on a server. */
  local: ReadResult;
}

export interface ReadResult {
  readId: string;
  document: {
    type: string; code: string; issuingState: string;
    /** The mechanism that opened the chip: PACE-GM, PACE-IM, PACE-CAM or BAC. */
    access: string;
    accessControl?: AccessControl;
    dataGroups: string[];
  };
  fields: Fields;
  withheld: string[];
  verification: {
    /** The verdict: accept a read only when PASS (and testAnchor is false). */
    overall: 'PASS' | 'WARN' | 'FAIL' | 'UNKNOWN';
    /** True when the document chained to a test anchor (the simulator). */
    testAnchor: boolean;
    checks: Check[];
  };
  evidence?: Evidence;
  /** The photo, when one was asked for and allowed; null otherwise. */
  photo: Photo | null;
}

export type ReadEvent =
  | { type: 'progress'; data: ProgressEvent }
  | { type: 'identity'; data: IdentityEvent }
  | { type: 'photo'; data: PhotoEvent }
  | { type: 'result'; data: ReadResult };

export interface ReadOptions {
  access: AccessKey;
  /** Reader name; default: the agent picks (docs/PROTOCOL.md read.start). */
  reader?: string;
  /** Fields wanted; default all that this origin's policy allows. */
  fields?: FieldName[];
  /** Ask for the photo (read.photo / result.photo). */
  photo?: boolean;
  /** base64 of 8 bytes for Active Authentication, from your backend. */
  challenge?: string;
  /** Ask for raw EF.SOD and data groups (only if the policy allows). */
  evidence?: boolean;
  timeoutMs?: number;
  /** Aborting cancels the read. */
  signal?: AbortSignal;
  onProgress?: (e: ProgressEvent) => void;
  /** Fields as soon as the text data groups are read: not yet the verdict. */
  onIdentity?: (e: IdentityEvent) => void;
  onPhoto?: (e: PhotoEvent) => void;
}

/** A running read: await it, iterate it, or cancel it. */
export interface ReadOperation extends PromiseLike<ReadResult>, AsyncIterable<ReadEvent> {
  /** The agent's id of the read, null until the agent accepted it. */
  readonly readId: string | null;
  /** Resolves with the readId once accepted (null if it never started). */
  readonly started: Promise<string | null>;
  readonly done: boolean;
  /** Cancels; the read then rejects with CANCELLED. */
  cancel(): Promise<void>;
  catch<T = never>(onRejected?: ((reason: IdAgentError) => T | PromiseLike<T>) | null): Promise<ReadResult | T>;
  finally(onFinally?: (() => void) | null): Promise<ReadResult>;
}

export type ConnectionState = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed';
export interface StateChange {
  state: ConnectionState;
  /** Why the last attempt failed (with 'connecting'/'reconnecting'/'closed'). */
  error?: IdAgentError;
  attempt?: number;
  /** When the next attempt starts. */
  retryInMs?: number;
}

export interface IdAgentOptions {
  /** The agent's address. Default http://127.0.0.1:20606. */
  url?: string;
  /** A label for the agent's logs, e.g. "hotel-desk/2.3". */
  client?: string;
  /** Reconnect automatically (default true). */
  reconnect?: boolean;
  /** Backoff bounds (defaults 500 ms and 15 s); jitter is added. */
  minDelayMs?: number;
  maxDelayMs?: number;
  /** Timeout of GET /v1/health (default 5 s; none while the browser asks its permission). */
  healthTimeoutMs?: number;
  /** Timeout for the WebSocket to open and answer hello (default 10 s). */
  connectTimeoutMs?: number;
  /** Timeout of each request's answer (default 15 s). */
  requestTimeoutMs?: number;
  /** WebSocket constructor (Node < 22, tests). Default globalThis.WebSocket. */
  WebSocket?: new (url: string) => WebSocket;
  /** fetch implementation. Default globalThis.fetch. */
  fetch?: typeof fetch;
}

export interface SimCard {
  reader: string;
  id12: string;
  can: string;
  documentNumber: string;
  dateOfBirth: string;
  dateOfExpiry: string;
  mrz: string;
}

export interface AgentEventMap {
  'reader.added': { reader: string };
  'reader.removed': { reader: string };
  'card.inserted': { reader: string; atr?: string };
  'card.removed': { reader: string };
  state: StateChange;
  open: Hello;
  close: IdAgentError;
  event: { v: 1; type: 'event'; name: string; seq: number; data: Record<string, unknown> };
}

export class IdAgent {
  constructor(opts?: IdAgentOptions);
  readonly url: string;
  readonly state: ConnectionState;
  /** The hello answer of the open connection, null otherwise. */
  readonly info: Hello | null;
  readonly health: Health | null;
  readonly lastError: IdAgentError | null;
  /** Readers announced on this connection, with card presence. */
  readonly readerState: Reader[];
  /**
   * Connects; resolves with hello once open, rejects with the first
   * attempt's error (AGENT_NOT_RUNNING, PERMISSION_DENIED,
   * ORIGIN_NOT_ALLOWED, ...) while reconnecting goes on in the background.
   */
  connect(): Promise<Hello>;
  /** Closes and stops reconnecting. */
  close(): void;
  on<K extends keyof AgentEventMap>(name: K, fn: (data: AgentEventMap[K]) => void): () => void;
  on(name: string, fn: (data: any) => void): () => void;
  off(name: string, fn: (data: any) => void): void;
  /** Any request of the protocol; resolves with its data. */
  request<T = any>(name: string, data?: object): Promise<T>;
  readers(): Promise<Reader[]>;
  read(opts: ReadOptions): ReadOperation;
  /** Reads with your backend's challenge and returns the evidence for it (docs/VERIFIER.md). */
  readForBackend(challenge: string, opts: Omit<ReadOptions, 'challenge' | 'evidence'>): Promise<BackendRead>;
  cancel(readId: string): Promise<void>;
  /** `idagent run --simulate` only. */
  simInsert(opts?: { profile?: string; tamper?: string; seed?: number; reader?: string }): Promise<SimCard>;
  /** `idagent run --simulate` only. */
  simRemove(reader?: string): Promise<void>;
}

/** The browser's Local Network Access permission state for this page. */
export function localNetworkPermission(): Promise<'granted' | 'prompt' | 'denied' | 'unsupported'>;
/** `data:` URL of a photo, for an <img>. */
export function photoDataURL(photo: Photo | PhotoEvent | null): string;
