import { FaultProxy } from '/work/wt/faults/packages/test-kit/dist/fault-proxy.js'
import postgres from 'postgres'
process.on('uncaughtException', (e) => { console.log('UNCAUGHT', e.message); })
const p = await FaultProxy.start({ host: '127.0.0.1', port: 5432 })
const sql = postgres(p.url('postgres://postgres@127.0.0.1:5432/postgres'), { max: 1, connect_timeout: 2 })
const t=performance.now()
const log = (...a) => console.log(Math.round(performance.now()-t), ...a)
const tx = await sql.reserve()
await tx`begin`
const q = tx`select pg_sleep(0.5)`.then(() => 'ok', async (e) => { log('q failed', e.code); const r = await tx`rollback`.then(()=>'rb ok', e=>'rb '+e.code); log(r); })
setTimeout(() => { log(process.argv[2]); process.argv[2]==='fin' ? p.stop('close') : p.stop() }, 100)
const timer = setTimeout(() => { log('HUNG'); process.exit(1) }, 4000)
await q
tx.release()
p.resume()
log(await sql`select 1 as n`.then(r=>r[0].n, e=>e.code))
clearTimeout(timer)
await sql.end({timeout:1}); await p.close()
