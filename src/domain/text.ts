// Caller-supplied text that ends up in messages or queries.

/** True when `text` holds a C0 control character or DEL. */
export function hasControlCharacters(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

/** `text` with control characters replaced by '?' and cut to `max` characters, for use in messages. */
export function printable(text: string, max = 64): string {
  let clean = '';
  for (const ch of text) {
    clean += hasControlCharacters(ch) ? '?' : ch;
  }
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}
