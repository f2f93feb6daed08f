// Fails when src/gen differs from what `buf generate` produces from the .proto files today, so contracts
// and generated code can never drift apart unnoticed.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'

const here = new URL('..', import.meta.url).pathname
const out = mkdtempSync(join(tmpdir(), 'psa-proto-'))
const files = (dir) =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? files(path) : [path]
  })
try {
  execFileSync('buf', ['lint'], { cwd: here, stdio: 'inherit' })
  const template = readFileSync(join(here, 'buf.gen.yaml'), 'utf8').replace('out: src/gen', `out: ${out}`)
  execFileSync('buf', ['generate', '--template', template], { cwd: here, stdio: 'inherit' })
  const fresh = new Map(files(out).map((f) => [relative(out, f), readFileSync(f, 'utf8')]))
  const committed = new Map(
    files(join(here, 'src/gen')).map((f) => [relative(join(here, 'src/gen'), f), readFileSync(f, 'utf8')]),
  )
  const drift = [...new Set([...fresh.keys(), ...committed.keys()])].filter(
    (f) => fresh.get(f) !== committed.get(f),
  )
  if (drift.length > 0) {
    console.error(
      `proto: generated code is out of date (${drift.join(', ')}). Run \`npm run proto\` and commit.`,
    )
    process.exit(1)
  }
  console.log(`proto: ${fresh.size} generated files match the .proto sources`)
} finally {
  rmSync(out, { recursive: true, force: true })
}
