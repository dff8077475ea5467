// Benchmark (not a test): jose's EdDSA sign and verify of claims like aoa's, per token, median of 7 rounds.
// node aoa-token/examples/bench_jose.mjs [N]   (JOSE_DIR: a directory whose node_modules has jose)
import { createRequire } from 'node:module'
import path from 'node:path'
const require = createRequire(path.join(path.resolve(process.env.JOSE_DIR || '.'), 'package.json'))
const jose = await import(require.resolve('jose'))
const n = Number(process.argv[2] || 2000)
const { publicKey, privateKey } = await jose.generateKeyPair('EdDSA', { crv: 'Ed25519' })
const now = 1796400000
const claims = { iss: 'https://aoa.example', sub: 'app:team/api', aud: 'team/api', client_id: 'team', jti: 'j',
  iat: now, exp: now + 300, scope: 'deploy@prod rollback@prod', act: { sub: 'user:ann' } }
const median = (v) => v.sort((a, b) => a - b)[v.length >> 1]
async function time(f) {
  const rounds = []
  for (let r = 0; r < 7; r++) {
    const start = process.hrtime.bigint()
    for (let i = 0; i < n; i++) await f(i)
    rounds.push(Number(process.hrtime.bigint() - start) / 1e3 / n)
  }
  return median(rounds)
}
const sign = () => new jose.SignJWT(claims).setProtectedHeader({ alg: 'EdDSA', typ: 'at+jwt', kid: 'k1' }).sign(privateKey)
const token = await sign()
const s = await time(sign)
const v = await time(() => jose.jwtVerify(token, publicKey, { audience: 'team/api', currentDate: new Date(now * 1000) }))
console.log(`jose ${process.versions.node}: sign ${s.toFixed(1)} µs, verify ${v.toFixed(1)} µs per token (median of 7 rounds of ${n})`)
