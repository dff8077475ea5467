'use strict'
// The errors of aoa: one subclass of AoaError per core error code, each with `code` and `diagnostics`.

class AoaError extends Error {
  constructor(message, code, diagnostics) {
    super(message)
    this.name = new.target.name
    this.code = code ?? 'aoa'
    this.diagnostics = diagnostics ?? []
  }

  toJSON() {
    return { code: this.code, message: this.message, diagnostics: this.diagnostics }
  }
}
class IoError extends AoaError {}
class ParseError extends AoaError {}
class ManifestError extends AoaError {}
class CycleError extends AoaError {}
class ParamsError extends AoaError {}
class SchemaError extends AoaError {}
class InvalidAccessError extends AoaError {}
class EscalationError extends AoaError {}
class UnknownAppError extends AoaError {}
class InvalidArgumentError extends AoaError {}

/** The class of each core error code. */
const ERROR_CLASSES = {
  io: IoError,
  syntax: ParseError,
  manifest: ManifestError,
  cycle: CycleError,
  params: ParamsError,
  schema: SchemaError,
  'invalid-access': InvalidAccessError,
  escalation: EscalationError,
  'unknown-app': UnknownAppError,
  'invalid-argument': InvalidArgumentError,
}

const MARK = '\u0001aoa-error:'

/** Turns a native error carrying the structured error into its AoaError subclass; other errors pass through. */
function convert(err) {
  if (err && typeof err.message === 'string' && err.message.startsWith(MARK)) {
    const { code, message, diagnostics } = JSON.parse(err.message.slice(MARK.length))
    const Class = ERROR_CLASSES[code] ?? AoaError
    return new Class(message, code, diagnostics)
  }
  return err
}

module.exports = {
  AoaError, IoError, ParseError, ManifestError, CycleError, ParamsError, SchemaError, InvalidAccessError, EscalationError, UnknownAppError,
  InvalidArgumentError, ERROR_CLASSES, convert,
}
