// Independent verification with `jose` (Node): a subject token minted by jose with a trusted key is exchanged by
// `aoa token exchange`, and aoa's token (EdDSA and ES256) verifies against aoa's JWKS with typ at+jwt, the
// child as audience and aoa as issuer. JOSE_DIR: a directory whose node_modules has jose; AOA_BIN: the binary.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..')
const require = createRequire(path.join(path.resolve(process.env.JOSE_DIR || root), 'package.json'))
const jose = await import(require.resolve('jose'))
const aoa = process.env.AOA_BIN || path.join(root, 'target', 'debug', 'aoa')
const SERVICE = 'https://aoa.example/platform'
const IDP = 'https://idp.example'

const run = (...args) => spawnSync(aoa, args, { cwd: root, encoding: 'utf8' })

for (const alg of ['EdDSA', 'ES256']) {
  test(`jose verifies aoa's ${alg} token, exchanged from a jose subject token`, async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'aoa-jose-'))
    const idp = await jose.generateKeyPair('EdDSA', { crv: 'Ed25519' })
    const jwk = { ...(await jose.exportJWK(idp.publicKey)), kid: 'idp-1', alg: 'EdDSA', use: 'sig' }
    writeFileSync(path.join(dir, 'idp.jwks'), JSON.stringify({ keys: [jwk] }))
    const keyFile = path.join(dir, 'aoa.jwk')
    execFileSync(aoa, ['token', 'keygen', '--alg', alg, '--out', keyFile])
    const subject = await new jose.SignJWT({ scope: 'deploy rollback', groups: ['web-devs'] })
      .setProtectedHeader({ alg: 'EdDSA', typ: 'at+jwt', kid: 'idp-1' })
      .setIssuer(IDP).setSubject('alice').setAudience(SERVICE).setIssuedAt().setExpirationTime('10m')
      .sign(idp.privateKey)
    const ex = run('token', 'exchange', '-m', 'examples/platform', '--key', keyFile, '--issuer', SERVICE,
      '--trust', `${IDP}=${path.join(dir, 'idp.jwks')}`, '--subject-token', subject,
      '--audience', 'web/storefront')
    assert.equal(ex.status, 0, ex.stdout + ex.stderr)
    const out = JSON.parse(ex.stdout)
    const jwks = jose.createLocalJWKSet(JSON.parse(execFileSync(aoa, ['token', 'jwks', '--key', keyFile], { encoding: 'utf8' })))
    const { payload, protectedHeader } = await jose.jwtVerify(out.access_token, jwks, {
      typ: 'at+jwt', audience: 'web/storefront', issuer: SERVICE, algorithms: [alg],
    })
    assert.equal(protectedHeader.alg, alg)
    assert.equal(payload.sub, 'app:web/storefront')
    assert.equal(payload.scope, 'deploy@prod rollback@prod')
    assert.ok(payload.exp - payload.iat <= 300)
    assert.deepEqual(payload.act, { sub: 'user:alice' })
    await assert.rejects(jose.jwtVerify(out.access_token, jwks, { audience: 'payments/api' }))
  })
}
