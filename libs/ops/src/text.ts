/** Characters a terminal would act on or hide: C0/C1 controls, DEL and direction marks. */
const UNPRINTABLE = /[\p{Cc}\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/gu;

/**
 * Text safe to print on one line: every control character or direction mark becomes `\u{..}`,
 * so a file name cannot move the cursor, clear the screen or disguise itself in an error.
 */
export function printable(text: string): string {
  return text.replace(UNPRINTABLE, (c) => `\\u{${c.codePointAt(0)!.toString(16)}}`);
}
