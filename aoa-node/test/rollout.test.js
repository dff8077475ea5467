'use strict'
// Rollouts with JavaScript callbacks: async and plain functions, order, failures that stay with their app, and
// an event loop that keeps running while Rust works.

const test = require('node:test')
const assert = require('node:assert/strict')
const path = require('node:path')
const aoa = require('..')

const PLATFORM = path.resolve(__dirname, '..', '..', 'examples', 'platform')
// examples/platform has permission sections: who runs the rollout is checked first.
const ADMIN = { subject: 'user:ann', groups: ['group:platform-admins'] }
const CONTINUE = { onFailure: 'continue', retry: { maxAttempts: 1 } }
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

/** Every app that waits for `app`, directly or not. */
const dependents = (m, app) => m.impacted({ changed: [app] }).waves.flatMap((w) => w.batches.flat()).filter((a) => a !== app)

function assertOrder(m, calls) {
  const at = new Map(calls.map((app, i) => [app, i]))
  for (const app of calls) {
    for (const later of dependents(m, app)) assert.ok(!at.has(later) || at.get(later) > at.get(app), `${later} deployed before ${app}`)
  }
}

test('async deploys run in dependency order, concurrently, with their context', async () => {
  const m = aoa.load(PLATFORM)
  const calls = []
  const contexts = {}
  let running = 0
  let most = 0
  const events = []
  const report = await m.rollout({
    async deploy(app, version, attempt, context) {
      most = Math.max(most, ++running)
      await sleep(5)
      running--
      calls.push(app)
      contexts[app] = [version, attempt, context]
    },
    observe: async (app) => (app === 'platform' ? { health: 'healthy', version: '2026.11.1' } : 'healthy'),
    options: { ...ADMIN, runId: 'r1', maxParallel: 8, healthPollMs: 1 },
    onEvent: (e) => events.push(e),
  })
  assert.equal(report.counts.succeeded, 30)
  assert.equal(report.run_id, 'r1')
  assert.equal(new Set(calls).size, 30)
  assertOrder(m, calls)
  assert.ok(most > 1, 'deploys of different apps should overlap')
  assert.deepEqual(contexts.platform, ['2026.11.1', 1, { runId: 'r1', idempotencyKey: 'r1/platform' }])
  await sleep(10) // the last events may still be queued behind the completion
  assert.equal(events.length, 60)
  assert.deepEqual(new Set(events.map((e) => e.step)), new Set(['started', 'succeeded']))
})

for (const [how, deploy] of [
  ['throws', (app) => { if (app === 'platform/vault') throw new Error('vault is sealed') }],
  ['rejects', async (app) => { await sleep(1); if (app === 'platform/vault') throw new Error('vault is sealed') }],
  ['rejects with a string', (app) => (app === 'platform/vault' ? Promise.reject('vault is sealed') : undefined)],
]) {
  test(`a deploy that ${how} fails only its app; its dependents are skipped`, async () => {
    const m = aoa.load(PLATFORM)
    const calls = []
    const report = await m.rollout({ deploy: (app) => { calls.push(app); return deploy(app) }, options: { ...ADMIN, ...CONTINUE } })
    const outcome = Object.fromEntries(report.apps.map((a) => [a.app, a]))
    assert.equal(outcome['platform/vault'].status, 'failed')
    assert.equal(outcome['platform/vault'].reason, 'vault is sealed')
    const skipped = dependents(m, 'platform/vault')
    assert.ok(skipped.length > 0 && skipped.every((a) => outcome[a].status === 'skipped'))
    assert.equal(outcome['identity/auth'].reason, 'upstream failed: platform/vault')
    assert.ok(skipped.every((a) => !calls.includes(a)))
    assert.equal(report.counts.succeeded, 30 - 1 - skipped.length)
  })
}

test('the event loop keeps running while the rollout waits', async () => {
  const m = aoa.Manifest.fromApps([{ name: 'db' }, { name: 'api', depends_on: ['db'] }])
  let ticks = 0
  const timer = setInterval(() => ticks++, 1)
  const report = await m.rollout({ deploy: () => sleep(30) })
  clearInterval(timer)
  assert.equal(report.counts.succeeded, 2)
  assert.ok(ticks > 10, `only ${ticks} ticks during a 60 ms rollout`)
})

test('a bad health fails the app; bad options and a missing deploy reject with the aoa classes', async () => {
  const m = aoa.Manifest.fromApps([{ name: 'db' }, { name: 'api', depends_on: ['db'] }])
  const report = await m.rollout({
    deploy() {},
    observe: (app) => (app === 'db' ? 'sideways' : 'healthy'),
    options: { ...CONTINUE, healthTimeoutMs: 20, healthPollMs: 1 },
  })
  const outcome = Object.fromEntries(report.apps.map((a) => [a.app, a]))
  assert.equal(outcome.db.status, 'failed')
  assert.match(outcome.db.reason, /sideways/)
  assert.equal(outcome.api.status, 'skipped')
  await assert.rejects(m.rollout({ deploy() {}, options: { maxParalel: 2 } }), aoa.InvalidArgumentError)
  await assert.rejects(m.rollout({}), aoa.InvalidArgumentError)
  await assert.rejects(aoa.load(PLATFORM).rollout({ deploy() {}, options: { subject: 'user:bob' } }), aoa.DeniedError)
})
