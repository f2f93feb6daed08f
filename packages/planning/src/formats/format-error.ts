/** A file that does not follow its format; `line` is 1-based (0 when the problem is the file as a whole). */
export class FormatError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(line > 0 ? `line ${line}: ${message}` : message)
    this.name = 'FormatError'
  }
}
