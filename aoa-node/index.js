'use strict'
// aoa for Node.js: loads the native addon and turns its errors into AoaError subclasses.
// Every method of the native `Manifest` is wrapped generically, so a new operation needs no change here.

const { join } = require('node:path')
const { existsSync } = require('node:fs')
const errors = require('./errors.js')

function loadNative() {
  const candidates = [`aoa.${process.platform}-${process.arch}${process.platform === 'linux' ? '-gnu' : ''}.node`, 'aoa.node']
  for (const file of candidates) {
    const path = join(__dirname, file)
    if (existsSync(path)) return require(path)
  }
  throw new Error(`aoa: no native addon for ${process.platform}-${process.arch} (looked for ${candidates.join(', ')})`)
}

const native = loadNative()
const { convert } = errors

const Native = native.Manifest

/** Wraps native manifests (also inside promises) and converts errors. */
function settle(out) {
  if (out instanceof Native) return new Manifest(out)
  if (out instanceof Promise) {
    return out.then(settle, (err) => { throw convert(err) })
  }
  return out
}

/** Hands the native handle of a wrapped manifest argument (as in `diff(newer)`) to the addon. */
function unwrap(arg) {
  return arg instanceof Manifest ? arg._native : arg
}

function forward(call) {
  try {
    return settle(call())
  } catch (err) {
    throw convert(err)
  }
}

/** A validated manifest (immutable). Build one with `load`, `Manifest.fromStr` or `Manifest.fromApps`. */
class Manifest {
  constructor(handle) {
    if (!(handle instanceof Native)) {
      throw new TypeError('use aoa.load, Manifest.load, Manifest.fromStr or Manifest.fromApps')
    }
    this._native = handle
  }
}

// Every static and instance method of the native class, forwarded generically.
for (const name of Object.getOwnPropertyNames(Native)) {
  if (typeof Native[name] === 'function' && !(name in Function)) {
    Manifest[name] = (...args) => forward(() => Native[name](...args))
  }
}
for (const name of Object.getOwnPropertyNames(Native.prototype)) {
  const desc = Object.getOwnPropertyDescriptor(Native.prototype, name)
  if (name === 'constructor') continue
  if (typeof desc.value === 'function') {
    Object.defineProperty(Manifest.prototype, name, {
      value: function (...args) {
        try {
          return settle(this._native[name](...args.map(unwrap)))
        } catch (err) {
          throw convert(err)
        }
      },
      writable: true,
      configurable: true,
    })
  } else if (desc.get) {
    Object.defineProperty(Manifest.prototype, name, {
      get() { return this._native[name] },
      configurable: true,
    })
  }
}

/** Loads a manifest file or directory (`Manifest.load`). */
function load(path) {
  return Manifest.load(path)
}

module.exports = {
  Manifest,
  load,
  operations: native.operations,
  AoaError: errors.AoaError,
  IoError: errors.IoError,
  ParseError: errors.ParseError,
  ManifestError: errors.ManifestError,
  CycleError: errors.CycleError,
  ParamsError: errors.ParamsError,
  SchemaError: errors.SchemaError,
  InvalidAccessError: errors.InvalidAccessError,
  EscalationError: errors.EscalationError,
  UnknownAppError: errors.UnknownAppError,
  InvalidArgumentError: errors.InvalidArgumentError,
  ERROR_CLASSES: errors.ERROR_CLASSES,
}
