'use strict'
// aoa for Node.js: loads the native addon, creates one AoaError subclass per core error code, and generates
// every method (and its `...Async` twin) from the core's table of operations. Options objects use camelCase keys;
// results are plain objects with the core's field names (typed in index.d.ts, generated).

const linux = process.platform === 'linux' ? '-gnu' : ''
const native = require(`./aoa.${process.platform}-${process.arch}${linux}.node`)

/** Base class of every aoa error: `code` is the stable core error code, `diagnostics` the findings. */
class AoaError extends Error {
  constructor(message, diagnostics = []) {
    super(message)
    this.name = new.target.name
    this.code = new.target.code
    this.diagnostics = diagnostics
  }

  toJSON() {
    return { code: this.code, message: this.message, diagnostics: this.diagnostics }
  }
}

/** The class of every core error code (`ERROR_CODES['unknown-app'] === UnknownAppError`). */
const ERROR_CODES = {}
for (const [code, name] of native.errorCodes()) {
  ERROR_CODES[code] = { [name]: class extends AoaError {} }[name]
  ERROR_CODES[code].code = code
}

/** A native outcome: a manifest handle, or `{"ok": result}` / `{"error": {...}}` as JSON text. */
function settle(out) {
  if (out instanceof native.Manifest) return new Manifest(out)
  const { ok, error } = JSON.parse(out)
  if (error) throw new ERROR_CODES[error.code](error.message, error.diagnostics)
  return ok
}

/** The native handle of a manifest argument; anything else is the core's invalid-argument error. */
const nativeOf = (operation, m) => { if (m instanceof Manifest) return m._native; throw new ERROR_CODES['invalid-argument'](`invalid argument: \`${operation}\` takes a Manifest, not ${m === null ? 'null' : typeof m}`, []) }

const camel = (name) => name.replace(/_([a-z])/g, (_, c) => c.toUpperCase())
const snake = (key) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)
const json = (options) => (options == null ? null : JSON.stringify(Object.fromEntries(Object.entries(options).map(([k, v]) => [snake(k), v]))))

/** A validated manifest (immutable). Build one with `load`, `Manifest.fromStr` or `Manifest.fromApps`. */
class Manifest {
  constructor(handle) { this._native = handle }

  static load(path) { return settle(native.open('path', String(path))) }
  static async loadAsync(path) { return settle(await native.openAsync('path', String(path))) }
  static fromStr(text, format = 'yaml') { return settle(native.open('text', text, format)) }
  static fromApps(apps) { return settle(native.open('records', JSON.stringify(apps))) }
  get length() { return this._native.length }

  /** Any operation on this manifest by its snake_case name, with snake_case arguments. */
  call(operation, args) { return settle(native.call([this._native], operation, args == null ? null : JSON.stringify(args))) }

  /**
   * Deploys every app, each as soon as the apps it waits for succeeded, on Rust worker threads; resolves to the
   * report. `deploy(app, version, attempt, { runId, idempotencyKey })`, `observe(app)` (a health such as
   * `'healthy'`, or `{ health, version }`) and `rollback(app, toVersion)` may be async; a throw or a rejection
   * fails only its app. `options`: the run options (`maxParallel`, `onFailure`, `retry`, ...); `onEvent` gets
   * every journal entry.
   */
  async rollout({ deploy, observe, rollback, options, onEvent } = {}) {
    if (typeof deploy !== 'function') throw new ERROR_CODES['invalid-argument']('invalid argument: `rollout` needs a `deploy` function', [])
    const calls = {
      deploy: (app, version, attempt, runId, idempotencyKey) => deploy(app, version, attempt, { runId, idempotencyKey }),
      observe: (app) => observe(app),
      rollback: (app, version) => rollback(app, version),
    }
    const answer = (kind) => (r) => (kind !== 'observe' ? [null, null, null] : typeof r === 'string' ? [null, r, null] : [null, r?.health ?? null, r?.version ?? null])
    const failure = (e) => [String(e instanceof Error ? e.message : e), null, null]
    const dispatch = (kind, ...args) => { // a promise only when the callback returned one
      try {
        const r = calls[kind](...args)
        return typeof r?.then === 'function' ? Promise.resolve(r).then(answer(kind), failure) : answer(kind)(r)
      } catch (e) { return failure(e) }
    }
    const retry = options?.retry && Object.fromEntries(Object.entries(options.retry).map(([k, v]) => [snake(k), v]))
    const events = onEvent && ((e) => onEvent(JSON.parse(e)))
    return settle(await new Promise((done) => native.rollout(this._native, dispatch, !!observe, json(options && { ...options, retry }), events, done)))
  }
}

/** A state store (`sqlite:PATH` or `postgres://...`): registry, history, audit trail. Methods from the store's table. */
class Store {
  constructor(handle) { this._native = handle }

  /** Opens (creating or migrating) the store; options: registry, actor, leaseTtlMs, leaseWaitMs, nowMs. */
  static open(url, options) {
    const out = native.storeOpen(url, json(options))
    return out instanceof native.Store ? new Store(out) : settle(out)
  }

  /** Any store operation by its snake_case name (a manifest for those that take one). */
  call(operation, manifest, args) {
    const handle = manifest instanceof Manifest ? manifest._native : undefined
    return settle(native.storeCall(this._native, handle, operation, args == null ? null : JSON.stringify(args)))
  }
}

const STORE_OPERATIONS = JSON.parse(native.storeOperations())
for (const op of STORE_OPERATIONS) {
  Store.prototype[camel(op.name)] = function (...args) {
    const manifest = op.manifest ? args.shift() : undefined
    return settle(native.storeCall(this._native, manifest instanceof Manifest ? manifest._native : undefined, op.name, json(args[0])))
  }
}

const OPERATIONS = JSON.parse(native.operations())
module.exports = { Manifest, Store, AoaError, ERROR_CODES, load: Manifest.load, loadAsync: Manifest.loadAsync }
module.exports.operations = () => OPERATIONS.map((op) => op.name)
module.exports.errorCodes = () => Object.keys(ERROR_CODES)
module.exports.storeOperations = () => STORE_OPERATIONS
for (const cls of Object.values(ERROR_CODES)) module.exports[cls.name] = cls

for (const op of OPERATIONS) {
  const takes = { free: 0, manifest: 1, pair: 2 }[op.kind]
  const target = takes ? Manifest.prototype : module.exports
  // The manifests are `this` and, for a pair, the first argument (`diff(newer)`); the options object follows.
  const request = (self, args) => [[self, ...args].slice(0, takes).map((m) => nativeOf(op.name, m)), op.name, json(args[Math.max(takes - 1, 0)])]
  target[camel(op.name)] = function (...args) { return settle(native.call(...request(this, args))) }
  target[`${camel(op.name)}Async`] = async function (...args) { return settle(await native.callAsync(...request(this, args))) }
}
