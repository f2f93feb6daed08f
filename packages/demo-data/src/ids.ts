import { v5 as uuidv5 } from 'uuid'

/** The uuid v5 namespace of the demo data set; changing it changes every derived id. */
const DEMO_NAMESPACE = '3f0c8d52-6b4e-4c1a-9f7e-5a2d9c0b1e47'

/** A stable id for a row: the same seed and key give the same uuid on every run and machine. */
export function demoId(seed: string, key: string): string {
  return uuidv5(`${seed}:${key}`, DEMO_NAMESPACE)
}
