export type Lang = 'vi' | 'en';
export type Tone = 'ok' | 'bad' | 'warn' | 'neutral';

/** A sentence telling a clerk what happened and what to do. */
export function describeError(err: { code?: string; retryable?: boolean } | string, lang?: Lang): string;
/** A short sentence for a `read.progress` phase. */
export function describePhase(phase: string, lang?: Lang): string;
/** One verification check in a clerk's words. */
export function describeCheck(
  check: { name: string; status: string; reason?: string; message?: string },
  lang?: Lang,
): { title: string; status: string; text: string; tone: Tone };
/** The headline of a verdict (`verification.overall`, or 'PENDING'). */
export function describeVerdict(overall: string, lang?: Lang): { text: string; tone: Tone };
/** The notice for `verification.testAnchor === true`. */
export function testAnchorNotice(lang?: Lang): string;
/** 'M' | 'F' | 'X' as a form writes it (Nam/Nữ/Khác, Male/Female/Unspecified). */
export function sexLabel(code: string | undefined, lang?: Lang): string;
