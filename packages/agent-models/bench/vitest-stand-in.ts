// What the corpus files need of vitest when the bench loads them: describe() runs its body so corpusTest()
// is reached, tests are not run.
export function describe(_name: string, body: () => void): void {
  body()
}
export function it(): void {}
export function expect(): never {
  throw new Error('the bench does not run test assertions')
}
