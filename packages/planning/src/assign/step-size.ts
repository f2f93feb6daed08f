/**
 * The step parameter of subgradient optimisation (Held, Wolfe & Crowder 1974): the best bound met so far, and
 * a factor halved after 20 rounds without a better one.
 */
export class StepSize {
  best = Number.NEGATIVE_INFINITY
  private stall = 0
  constructor(public theta: number) {}

  /** Records a round's bound; true when it is the best so far. */
  record(value: number): boolean {
    if (value > this.best + 1e-9) {
      this.best = value
      this.stall = 0
      return true
    }
    if (++this.stall >= 20) {
      this.theta /= 2
      this.stall = 0
    }
    return false
  }
}
