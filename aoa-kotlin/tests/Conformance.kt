// The Kotlin runner of the cross-language conformance suite (tests/conformance/README.md): every vector through
// the generated binding, compared as every runner compares; then every error code thrown as its own class.
// Usage (from the repository root, as ./test.sh does): java -Djna.library.path=... -cp ... ConformanceKt
import aoa.AoaException
import aoa.Manifest
import aoa.Store
import aoa.callFree
import aoa.errorCodes
import aoa.operations
import aoa.raise
import java.io.File
import java.math.BigDecimal
import kotlin.system.exitProcess

/** A minimal JSON reader and writer: objects are maps, arrays lists, numbers BigDecimal (scale-free). */
class Json(private val s: String) {
    private var i = 0

    companion object {
        fun parse(text: String): Any? = Json(text).run { value().also { ws(); require(i == s.length) { "trailing text at $i" } } }

        fun write(v: Any?): String = when (v) {
            null -> "null"
            is String -> "\"" + v.flatMap { c ->
                when {
                    c == '"' || c == '\\' -> listOf('\\', c)
                    c < ' ' -> "\\u%04x".format(c.code).toList()
                    else -> listOf(c)
                }
            }.joinToString("") + "\""
            is Map<*, *> -> v.entries.joinToString(",", "{", "}") { write(it.key) + ":" + write(it.value) }
            is List<*> -> v.joinToString(",", "[", "]") { write(it) }
            is BigDecimal -> v.toPlainString()
            else -> v.toString()
        }
    }

    private fun ws() { while (i < s.length && s[i].isWhitespace()) i++ }

    private fun value(): Any? {
        ws()
        return when (val c = s[i]) {
            '{' -> { i++; val m = LinkedHashMap<String, Any?>(); ws()
                if (s[i] == '}') { i++; return m }
                while (true) { ws(); val k = string(); ws(); expect(':'); m[k] = value(); ws()
                    if (s[i++] == '}') return m else require(s[i - 1] == ',') { "expected , at ${i - 1}" } } }
            '[' -> { i++; val l = ArrayList<Any?>(); ws()
                if (s[i] == ']') { i++; return l }
                while (true) { l.add(value()); ws()
                    if (s[i++] == ']') return l else require(s[i - 1] == ',') { "expected , at ${i - 1}" } } }
            '"' -> string()
            't' -> word("true", true)
            'f' -> word("false", false)
            'n' -> word("null", null)
            else -> { val start = i
                require(c == '-' || c.isDigit()) { "unexpected `$c` at $i" }
                while (i < s.length && s[i] in "+-0123456789.eE") i++
                BigDecimal(s.substring(start, i)).stripTrailingZeros() }
        }
    }

    private fun expect(c: Char) { require(s[i++] == c) { "expected $c at ${i - 1}" } }

    private fun word(w: String, v: Any?): Any? { require(s.startsWith(w, i)) { "bad literal at $i" }; i += w.length; return v }

    private fun string(): String {
        expect('"')
        val b = StringBuilder()
        while (true) {
            when (val c = s[i++]) {
                '"' -> return b.toString()
                '\\' -> when (val e = s[i++]) {
                    'n' -> b.append('\n'); 't' -> b.append('\t'); 'r' -> b.append('\r')
                    'b' -> b.append('\b'); 'f' -> b.append('\u000c')
                    'u' -> { b.append(s.substring(i, i + 4).toInt(16).toChar()); i += 4 }
                    else -> b.append(e)
                }
                else -> b.append(c)
            }
        }
    }
}

/** A vector's manifest source as a manifest. */
fun load(source: Any?): Manifest {
    val m = source as Map<*, *>
    return when {
        m.containsKey("text") -> Manifest.fromText(m["text"] as String, m["format"] as String? ?: "yaml")
        m.containsKey("records") -> Manifest.fromRecords(Json.write(m["records"]))
        else -> Manifest.load(m["path"] as String)
    }
}

/** An outcome as the suite compares it: the parsed result, or `{"error": {code, message, diagnostics}}`. */
fun outcome(call: () -> String): Any? = try {
    Json.parse(call())
} catch (e: AoaException) {
    mapOf("error" to mapOf("code" to e.code(), "message" to e.detail(), "diagnostics" to Json.parse(e.diagnostics())))
}

/** Runs one store vector (tests/conformance/store) on a fresh SQLite store: the failed steps. */
fun runStore(file: File): List<String> {
    val dir = kotlin.io.path.createTempDirectory("aoa-store").toFile()
    val options = """{"registry": "conformance", "actor": "conformance", "now_ms": 1800000000000}"""
    val failures = mutableListOf<String>()
    Store.open("sqlite:${dir.path}/state.db", options).use { store ->
        ((Json.parse(file.readText()) as Map<*, *>)["steps"] as List<*>).forEachIndexed { i, s ->
            val step = s as Map<*, *>
            val args = Json.write(step["args"])
            val actual = outcome {
                if (step.containsKey("manifest")) load(step["manifest"]).use { store.call(it, step["operation"] as String, args) }
                else store.call(null, step["operation"] as String, args)
            }
            if (!matches(step["expected"], actual)) failures += "${file.name} step $i:\n  expected ${Json.write(step["expected"])}\n  actual   ${Json.write(actual)}"
        }
    }
    dir.deleteRecursively()
    return failures
}

/** Runs one vector: its result, or `{"error": {code, message, diagnostics}}`. */
fun run(vector: Map<*, *>): Any? = outcome {
    val operation = vector["operation"] as String
    val args = Json.write(vector["args"])
    when {
        !vector.containsKey("manifest") -> callFree(operation, args)
        vector.containsKey("new") -> load(vector["manifest"]).use { old -> load(vector["new"]).use { old.callPair(it, operation, args) } }
        else -> load(vector["manifest"]).use { it.call(operation, args) }
    }
}

/** A field every variant of AoaException has (`code`, `detail`, `diagnosticsJson`), read without knowing the class. */
fun AoaException.field(name: String): String = javaClass.getMethod("get" + name.replaceFirstChar { it.uppercase() }).invoke(this) as String
fun AoaException.code() = field("code")
fun AoaException.detail() = field("detail")
fun AoaException.diagnostics() = field("diagnosticsJson")

/** The suite's comparison: results equal; errors with the same code, message when given, and diagnostics. */
fun matches(expected: Any?, actual: Any?): Boolean {
    val want = (expected as? Map<*, *>)?.get("error") as? Map<*, *> ?: return expected == actual
    val got = (actual as? Map<*, *>)?.get("error") as? Map<*, *> ?: return false
    if (want["code"] != got["code"]) return false
    if (want.containsKey("message") && want["message"] != got["message"]) return false
    val wd = want["diagnostics"] as? List<*> ?: return !want.containsKey("diagnostics")
    val gd = got["diagnostics"] as List<*>
    return wd.size == gd.size && wd.zip(gd).all { (w, g) ->
        (w as Map<*, *>).all { (k, v) -> (g as Map<*, *>).containsKey(k) && g[k] == v }
    }
}

/** Every error code of the core is thrown as its own subclass of AoaException, carrying its code. */
fun errorClasses(): List<String> {
    val failures = mutableListOf<String>()
    val classes = errorCodes().map { code ->
        try {
            raise(code, "boom"); failures += "$code: nothing thrown"; null
        } catch (e: AoaException) {
            if (e.code() != code || e.detail() != "boom") failures += "$code: got ${e.code()} `${e.detail()}`"
            e::class
        }
    }
    if (classes.toSet().size != classes.size || errorCodes().size < 10) failures += "error classes not distinct: $classes"
    try { raise("no-such-code", "x"); failures += "an unknown code threw nothing" } catch (e: AoaException.InvalidArgument) {}
    return failures
}

fun main() {
    val files = File("tests/conformance/vectors").listFiles { f -> f.name.endsWith(".json") }!!.sortedBy { it.name }
    check(files.isNotEmpty()) { "no conformance vectors found (run from the repository root)" }
    val failures = mutableListOf<String>()
    for (file in files) {
        val vector = Json.parse(file.readText()) as Map<*, *>
        val actual = run(vector)
        if (!matches(vector["expected"], actual)) {
            failures += "${file.name}:\n  expected ${Json.write(vector["expected"])}\n  actual   ${Json.write(actual)}"
        }
    }
    val stores = File("tests/conformance/store").listFiles { f -> f.name.endsWith(".json") }!!.sortedBy { it.name }
    check(stores.isNotEmpty()) { "no store vectors found" }
    stores.forEach { failures += runStore(it) }
    println("kotlin: ${stores.size} store vectors run")
    val vectorsFailed = failures.size
    failures += errorClasses()
    if (!operations().contains("plan")) failures += "operations() lacks plan"
    failures.forEach { System.err.println(it) }
    println("kotlin: ${files.size - vectorsFailed} of ${files.size} conformance vectors passed; ${errorCodes().size} error codes checked")
    println("kotlin: ${files.size - vectorsFailed + (if (failures.size == vectorsFailed) 1 else 0)} passed, ${failures.size} failed")
    if (failures.isNotEmpty()) exitProcess(1)
}
