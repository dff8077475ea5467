'use strict'
// The Node API: constructors, plain-object results, error classes, async variants, the generated typings.

const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const aoa = require('..')

const PLATFORM = path.resolve(__dirname, '..', '..', 'examples', 'platform')
const DIAMOND = [
  { name: 'root' },
  { name: 'db', parent: 'root' },
  { name: 'api', parent: 'root', depends_on: ['db'], labels: { team: 'core' } },
]

test('load and plan give plain objects', () => {
  const m = aoa.load(PLATFORM)
  assert.ok(m instanceof aoa.Manifest)
  assert.equal(m.length, 30)
  const plan = m.plan({ maxParallel: 2 })
  assert.equal(Object.getPrototypeOf(plan), Object.prototype)
  assert.equal(plan.direction, 'rollout')
  assert.deepEqual(plan.waves[0].batches, [['platform']])
  assert.ok(plan.waves.every((w) => w.batches.every((b) => b.length <= 2)))
  assert.deepEqual(aoa.Manifest.load(PLATFORM).plan(), m.plan())
})

test('every constructor and operation', () => {
  const text = 'apps:\n- name: root\n- name: db\n  parent: root\n- name: api\n  parent: root\n  depends_on: [db]\n'
  const a = aoa.Manifest.fromStr(text)
  const b = aoa.Manifest.fromApps(DIAMOND)
  const c = aoa.Manifest.fromStr(JSON.stringify({ apps: DIAMOND }), 'json')
  assert.deepEqual(a.plan(), b.plan())
  assert.deepEqual(b.plan(), c.plan())
  assert.deepEqual(b.plan().critical_path, ['root', 'db', 'api'])
  assert.deepEqual(b.teardown().waves.map((w) => w.batches[0][0]), ['api', 'db', 'root'])
  assert.equal(b.impacted({ changed: ['db'] }).app_count, 2)
  assert.equal(b.select({ selector: 'team=core' }).app_count, 3)
  assert.deepEqual(b.cycles(), [])
  assert.deepEqual(b.validate(), { valid: true, apps: 3, edges: 3, waves: 3, diagnostics: [] })
  assert.deepEqual(b.call('plan', { max_parallel: 1 }), b.plan({ maxParallel: 1 }))
  assert.ok(['plan', 'teardown', 'impacted', 'select', 'cycles', 'validate'].every((op) => aoa.operations().includes(op)))
})

test('every operation of the core is a generated method with an Async twin', async () => {
  const camel = (s) => s.replace(/_([a-z])/g, (_, c) => c.toUpperCase())
  const m = aoa.Manifest.fromApps(DIAMOND)
  for (const op of aoa.operations()) {
    const owner = typeof aoa[camel(op)] === 'function' ? aoa : m
    assert.equal(typeof owner[camel(op)], 'function', op)
    assert.equal(typeof owner[`${camel(op)}Async`], 'function', op)
  }
  assert.deepEqual(await m.whoCanAsync({ action: 'deploy', app: 'api' }), m.whoCan({ action: 'deploy', app: 'api' }))
  assert.throws(() => m.plan({ maxParalel: 2 }), /unknown argument of `plan` `max_paralel`; did you mean `max_parallel`/)
  assert.throws(() => m.call('diff'), (e) => e instanceof aoa.InvalidArgumentError && /two manifests/.test(e.message))
  assert.equal(aoa.schemaFingerprint({ schema: '"string"' }).canonical_form, '"string"')
  await assert.rejects(aoa.schemaFingerprintAsync({ schema: '{' }), aoa.SchemaError)
})

test('every error code has its own class, and err.code is the bare code', () => {
  const codes = aoa.errorCodes()
  assert.equal(codes.length, 15)
  assert.equal(new Set(codes.map((c) => aoa.ERROR_CODES[c])).size, codes.length)
  for (const code of codes) {
    const Class = aoa.ERROR_CODES[code]
    assert.ok(Class.prototype instanceof aoa.AoaError && aoa[Class.name] === Class, code)
    const err = new Class('message', [])
    assert.equal(err.code, code)
    assert.equal(err.name, Class.name)
  }
  assert.throws(() => aoa.load('/does-not-exist'), (e) => e.code === 'io' && e.message.startsWith('cannot read `/does-not-exist`'))
})

test('errors are AoaError subclasses with code and diagnostics', () => {
  assert.throws(() => aoa.Manifest.fromStr('apps:\n  - name: api\n    parent: platfrom\n  - name: platform\n'), (e) => {
    assert.ok(e instanceof aoa.ManifestError && e instanceof aoa.AoaError && e instanceof Error)
    assert.equal(e.name, 'ManifestError')
    assert.equal(e.code, 'manifest')
    const [d] = e.diagnostics
    assert.deepEqual([d.code, d.file, d.line, d.column, d.app, d.hint],
      ['unknown-parent', '<string>', 3, 13, 'api', 'did you mean `platform`?'])
    return true
  })
  assert.throws(() => aoa.Manifest.fromStr('apps: [', 'yaml'), aoa.ParseError)
  assert.throws(() => aoa.load('/does-not-exist'), aoa.IoError)
  const m = aoa.Manifest.fromApps(DIAMOND)
  assert.throws(() => m.impacted({ changed: ['apii'] }), (e) => e instanceof aoa.UnknownAppError && /did you mean `api`/.test(e.message))
  assert.throws(() => m.plan({ maxParallel: 0 }), aoa.InvalidArgumentError)
  assert.throws(() => m.plan({ maxParallel: -1 }), aoa.InvalidArgumentError)
  assert.throws(() => aoa.Manifest.fromStr('apps: []', 'toml'), aoa.InvalidArgumentError)
  assert.throws(() => m.call('plam'), /unknown operation `plam`; did you mean `plan`/)
  const cyclic = aoa.Manifest.fromApps([{ name: 'a', depends_on: ['b'] }, { name: 'b', depends_on: ['a'] }])
  assert.throws(() => cyclic.plan(), (e) => e instanceof aoa.CycleError && e.diagnostics[0].app === 'b')
  assert.equal(cyclic.cycles()[0].text, 'a -> b -> a')
})

test('async variants resolve off the main thread and reject with the same classes', async () => {
  const m = await aoa.Manifest.loadAsync(PLATFORM)
  assert.ok(m instanceof aoa.Manifest)
  assert.deepEqual(await m.planAsync({ maxParallel: 3 }), m.plan({ maxParallel: 3 }))
  assert.deepEqual(await m.teardownAsync(), m.teardown())
  assert.deepEqual(await m.impactedAsync({ changed: ['platform/vault'] }), m.impacted({ changed: ['platform/vault'] }))
  assert.deepEqual(await m.validateAsync(), m.validate())
  await assert.rejects(m.impactedAsync({ changed: ['nope'] }), aoa.UnknownAppError)
  await assert.rejects(aoa.Manifest.loadAsync('/does-not-exist'), aoa.IoError)
  const big = aoa.Manifest.fromApps(Array.from({ length: 50000 }, (_, i) => ({ name: `app${i}`, depends_on: i ? [`app${i >> 1}`] : [] })))
  let ticks = 0
  const timer = setInterval(() => { ticks++ }, 0)
  const plans = await Promise.all([big.planAsync(), big.impactedAsync({ changed: ['app1'] })])
  clearInterval(timer)
  assert.equal(plans[0].app_count, 50000)
  assert.ok(ticks >= 0)
})

test('the shipped typings (generated by aoa-typegen) declare every method and error class', () => {
  const camel = (s) => s.replace(/_([a-z])/g, (_, c) => c.toUpperCase())
  const dts = fs.readFileSync(path.join(__dirname, '..', 'index.d.ts'), 'utf8')
  for (const op of aoa.operations()) {
    for (const name of [camel(op), `${camel(op)}Async`]) assert.match(dts, new RegExp(`\\b${name}\\(`), name)
  }
  for (const name of ['fromApps', 'fromStr', 'loadAsync']) assert.match(dts, new RegExp(`\\b${name}\\(`))
  for (const Class of Object.values(aoa.ERROR_CODES)) assert.match(dts, new RegExp(`export declare class ${Class.name} extends AoaError`))
})

const ACCESS = `
apps:
  - name: root
    roles: {deployer: [deploy, rollback]}
    grants: [{subject: "group:sre", role: deployer}]
    deny: [{subject: "user:mallory", actions: ["*"]}]
  - name: api
    parent: root
    identity: {needs: [deploy]}
`

test('permission operations, params and diff', async () => {
  const m = aoa.Manifest.fromStr(ACCESS)
  const decision = m.check({ subject: 'user:ann', groups: ['group:sre'], action: 'deploy', app: 'api' })
  assert.equal(decision.allowed, true)
  assert.equal(decision.reasons[0].app, 'root')
  const denied = await m.checkAsync({ subject: 'user:mallory', groups: ['group:sre'], action: 'deploy', app: 'api' })
  assert.equal(denied.outcome, 'forbidden')
  assert.deepEqual(m.whoCan({ action: 'deploy', app: 'api' }).subjects.map((s) => s.subject), ['group:sre', 'app:api'])
  assert.deepEqual(m.identity({ app: 'api' }), ['deploy'])
  assert.ok(m.whatCan({ subject: 'user:ann', groups: ['group:sre'] }).apps.length === 2)
  assert.ok(m.effective({ app: 'api' }).subjects.some((s) => s.subject === 'group:sre'))
  const before = aoa.Manifest.fromStr(ACCESS.replace('grants: [{subject: "group:sre", role: deployer}]', 'grants: []'))
  const diff = before.diff(m)
  assert.ok(diff.gained > 0 && diff.lost === 0)
  assert.throws(() => m.diff(null), { name: 'InvalidArgumentError', message: /takes a Manifest, not null/ })
  assert.throws(() => m.check({ subject: 'robot:x', action: 'deploy', app: 'api' }), aoa.InvalidArgumentError)
  assert.throws(
    () => aoa.Manifest.fromStr("apps:\n- {name: r, ceiling: [read]}\n- {name: c, parent: r, grants: [{subject: 'user:a', actions: [deploy]}]}\n"),
    aoa.EscalationError,
  )
  const params = aoa.load(path.join(__dirname, '..', '..', 'examples', 'platform')).params({ app: 'payments/api' })
  assert.equal(params.value.max_payment_cents, 1000000)
  assert.equal(params.provenance['/platform/region'], 'platform')
})
