/** Escapes text for use inside a RegExp; runs of whitespace match any whitespace. */
export function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\s+/g, '\\s+')
}
