import type { AssignmentProblemInput } from '../assign/model.js'
import { seededRandom } from '../random.js'

/**
 * GAP instances of Chu & Beasley's (1997) types C, D and E (minimisation, capacities 80% of the average
 * load): C: r ~ U[5,25], c ~ U[10,50]; D: r ~ U[1,100], c = 111 - r + U[-10,10] (cost and hours inversely
 * correlated, the hard one); E: r = 1 - 10 ln U(0,1], c = 1000 / r - 10 U[0,1].
 */
export function generateGap(
  type: 'C' | 'D' | 'E',
  agents: number,
  jobs: number,
  seed: number,
): AssignmentProblemInput {
  const rnd = seededRandom(seed)
  const cost: number[][] = []
  const hours: number[][] = []
  for (let i = 0; i < agents; i++) {
    const c: number[] = []
    const r: number[] = []
    for (let j = 0; j < jobs; j++) {
      if (type === 'C') {
        r.push(5 + rnd.int(21))
        c.push(10 + rnd.int(41))
      } else if (type === 'D') {
        const a = 1 + rnd.int(100)
        r.push(a)
        c.push(111 - a + (rnd.int(21) - 10))
      } else {
        const a = Math.floor(1 - 10 * Math.log(1 - rnd.next()))
        r.push(a)
        c.push(Math.floor(1000 / a - 10 * rnd.next()))
      }
    }
    cost.push(c)
    hours.push(r)
  }
  const capacity = hours.map((row) => Math.floor((0.8 * row.reduce((s, x) => s + x, 0)) / agents))
  return { objective: 'min', cost, hours, capacity }
}
