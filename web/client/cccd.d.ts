import type { AccessKey } from './idagent.js';

/** Whether `s` is 12 digits (the personal identification number, ID12). */
export function isValidID12(s: unknown): s is string;
/** Province code, sex and birth year encoded in an ID12; null if invalid. */
export function id12Info(id12: string): { province: string; sex: 'M' | 'F'; birthYear: number } | null;
/** Removes spaces, dots and dashes typed inside a number. */
export function normalizeDigits(s: string): string;

export interface ParsedQR {
  id12: string;
  /** The old 9-digit (or 12-digit) ID, null when the payload has none. */
  oldIdNumber: string | null;
  /** ISO date; `YYYY-MM` or `YYYY` when the card holds a partial date. */
  dateOfBirth: string;
  /** ISO date, null when the payload does not carry it. */
  dateOfIssue: string | null;
  /** The key to pass to `read()`, rebuilt from digits and dates only. */
  access: { qr: string };
}
/**
 * Parses the card's QR payload (`ID12|oldID|name|ddMMyyyy|sex|address|ddMMyyyy`,
 * or 6 fields). Takes digits and dates only; name, sex and address are never
 * trusted. Throws IdAgentError INVALID_KEY.
 */
export function parseQR(payload: string): ParsedQR;
/** Whether a text looks like a card QR payload. */
export function looksLikeQR(s: string): boolean;
/**
 * Turns typed or scanned text into an access key: QR payload, 12-digit ID,
 * 6-digit CAN, MRZ, or a passport's "NUMBER dd/mm/yyyy dd/mm/yyyy" (number,
 * birth date, expiry date; the dates also as the MRZ's YYMMDD). Throws
 * IdAgentError INVALID_KEY with a message saying what to type (`field`
 * names the missing part, e.g. 'dateOfBirth' after a passport number alone).
 */
export function accessKeyFromInput(text: string): AccessKey;
/** Whether a text looks like a passport number alone (6–9 letters and digits, both present). */
export function looksLikeDocumentNumber(s: string): boolean;
/** `dd/mm/yyyy` (or `-`, `.`, `ddmmyyyy`; with `{mrz: true}` also `YYMMDD`) → MRZ `YYMMDD`; null if not a real date. */
export function mrzDateFromInput(text: string, opts?: { mrz?: boolean }): string | null;
/**
 * A passport's access key from its data page: number, birth date and expiry
 * date (`dd/mm/yyyy`). Throws IdAgentError INVALID_KEY with `field` naming
 * the wrong part.
 */
export function passportKey(number: string, dateOfBirth: string, dateOfExpiry: string): {
  documentNumber: string; dateOfBirth: string; dateOfExpiry: string;
};
/** ISO (`YYYY-MM-DD`, `YYYY-MM`, `YYYY`) → `dd/mm/yyyy` (`00/00/1950` when partial); null → ''. */
export function formatDG13Date(value: string | null | undefined): string;
/** `dd/mm/yyyy` (or `ddMMyyyy`, partial allowed) → ISO, null if not a date. */
export function parseDG13Date(value: string): string | null;
/**
 * MRZ `YYMMDD` → `dd/mm/yyyy`, century by kind (birth: never in the future;
 * expiry: 20YY unless more than 50 years ahead). With kind 'expiry',
 * `991231` (Vietnamese card without expiry) gives null. '' if not a date.
 */
export function formatMRZDate(yymmdd: string, opts?: { kind?: 'birth' | 'expiry' | 'issue'; today?: Date }): string | null;
/** ISO or `dd/mm/yyyy` → MRZ `YYMMDD`; null if not a complete date. */
export function toMRZDate(value: string): string | null;
