export type Lang = 'vi' | 'en';
export type Tone = 'ok' | 'bad' | 'warn' | 'neutral';

/** A sentence telling a clerk what happened and what to do. */
export function describeError(err: { code?: string; retryable?: boolean } | string, lang?: Lang): string;
/** A short sentence for a `read.progress` phase. */
export function describePhase(phase: string, lang?: Lang): string;
/**
 * One verification check in a clerk's words (the agent's table, keyed by
 * check name and reason code). With `final: false` (the read has not
 * ended) a check that did not fail is pending, never passed.
 */
export function describeCheck(
  check: { name: string; status: string; reason?: string; message?: string },
  lang?: Lang,
  opts?: { final?: boolean },
): { title: string; status: string; text: string; tone: Tone };
/**
 * The headline of a verdict (`verification.overall`, or 'PENDING' while the
 * read runs). Give the checks, the document type and the test-anchor flag:
 * a failure's headline names what failed, passports and ID cards are named
 * as such, a test card reads "Valid (test card)".
 */
export function describeVerdict(
  overall: string,
  lang?: Lang,
  opts?: { checks?: { name: string; status: string; reason?: string }[]; documentType?: string; testAnchor?: boolean },
): { text: string; tone: Tone };
/** The notice for `verification.testAnchor === true`. */
export function testAnchorNotice(lang?: Lang): string;
/** 'M' | 'F' | 'X' as a form writes it (Nam/Nữ/Khác, Male/Female/Unspecified). */
export function sexLabel(code: string | undefined, lang?: Lang): string;
