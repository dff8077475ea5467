/* The C runner of the conformance suite, plus checks of the C ABI's contract (status codes, last error,
 * NULL safety). Every vector goes through aoa_call; results and errors are compared with cJSON.
 * Run from the repository root: it reads tests/conformance/vectors. Exit status 0 when every check passes. */
#define _POSIX_C_SOURCE 200809L
#include <cjson/cJSON.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aoa.h"

#define VECTORS "tests/conformance/vectors"
#define STORE_VECTORS "tests/conformance/store"
/* The options every runner opens a store vector's store with (fixed clock and actor). */
#define STORE_OPTIONS "{\"registry\": \"conformance\", \"actor\": \"conformance\", \"now_ms\": 1800000000000}"

static int failures = 0;

#define CHECK(cond, ...)                                      \
    do {                                                      \
        if (!(cond)) {                                        \
            failures++;                                       \
            fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
            fprintf(stderr, __VA_ARGS__);                     \
            fputc('\n', stderr);                              \
        }                                                     \
    } while (0)

static char *read_file(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    if (buf) buf[n] = '\0';
    fclose(f);
    return buf;
}

/* The status each core error code maps to. */
static aoa_status status_of(const char *code) {
    if (strcmp(code, "io") == 0) return AOA_STATUS_IO;
    if (strcmp(code, "syntax") == 0) return AOA_STATUS_SYNTAX;
    if (strcmp(code, "manifest") == 0) return AOA_STATUS_MANIFEST;
    if (strcmp(code, "cycle") == 0) return AOA_STATUS_CYCLE;
    if (strcmp(code, "params") == 0) return AOA_STATUS_PARAMS;
    if (strcmp(code, "schema") == 0) return AOA_STATUS_SCHEMA;
    if (strcmp(code, "invalid-access") == 0) return AOA_STATUS_INVALID_ACCESS;
    if (strcmp(code, "escalation") == 0) return AOA_STATUS_ESCALATION;
    if (strcmp(code, "unknown-app") == 0) return AOA_STATUS_UNKNOWN_APP;
    if (strcmp(code, "invalid-argument") == 0) return AOA_STATUS_INVALID_ARGUMENT;
    if (strcmp(code, "store") == 0) return AOA_STATUS_STORE;
    if (strcmp(code, "store-version") == 0) return AOA_STATUS_STORE_VERSION;
    if (strcmp(code, "lease-held") == 0) return AOA_STATUS_LEASE_HELD;
    if (strcmp(code, "gain-refused") == 0) return AOA_STATUS_GAIN_REFUSED;
    return -1;
}

/* Every error code maps to its own status, distinct from OK and PANIC. */
static void check_statuses(void) {
    const char *codes[] = {"io",     "syntax", "manifest",    "cycle",           "params",
                           "schema", "invalid-access", "escalation", "unknown-app", "invalid-argument",
                           "store",  "store-version",  "lease-held", "gain-refused"};
    const int n = (int)(sizeof codes / sizeof codes[0]);
    for (int i = 0; i < n; i++) {
        CHECK(status_of(codes[i]) > AOA_STATUS_OK && status_of(codes[i]) != AOA_STATUS_PANIC, "status of %s", codes[i]);
        for (int j = 0; j < i; j++) CHECK(status_of(codes[i]) != status_of(codes[j]), "%s and %s", codes[i], codes[j]);
    }
}

/* The suite's comparison of an error (see tests/conformance/README.md). */
static int error_matches(const cJSON *want, const cJSON *got) {
    const cJSON *code = cJSON_GetObjectItemCaseSensitive(want, "code");
    if (!cJSON_Compare(code, cJSON_GetObjectItemCaseSensitive(got, "code"), 1)) return 0;
    const cJSON *message = cJSON_GetObjectItemCaseSensitive(want, "message");
    if (message && !cJSON_Compare(message, cJSON_GetObjectItemCaseSensitive(got, "message"), 1)) return 0;
    const cJSON *wd = cJSON_GetObjectItemCaseSensitive(want, "diagnostics");
    if (!wd) return 1;
    const cJSON *gd = cJSON_GetObjectItemCaseSensitive(got, "diagnostics");
    if (cJSON_GetArraySize(wd) != cJSON_GetArraySize(gd)) return 0;
    for (int i = 0; i < cJSON_GetArraySize(wd); i++) {
        const cJSON *w = cJSON_GetArrayItem(wd, i), *g = cJSON_GetArrayItem(gd, i), *field;
        cJSON_ArrayForEach(field, w) {
            if (!cJSON_Compare(field, cJSON_GetObjectItemCaseSensitive(g, field->string), 1)) return 0;
        }
    }
    return 1;
}

/* Loads the vector's manifest; returns the status (the manifest in *out on success). */
static aoa_status load(const cJSON *source, aoa_manifest **out) {
    const cJSON *text = cJSON_GetObjectItemCaseSensitive(source, "text");
    const cJSON *records = cJSON_GetObjectItemCaseSensitive(source, "records");
    const cJSON *path = cJSON_GetObjectItemCaseSensitive(source, "path");
    if (cJSON_IsString(text)) {
        const cJSON *format = cJSON_GetObjectItemCaseSensitive(source, "format");
        return aoa_manifest_open("text", text->valuestring, cJSON_IsString(format) ? format->valuestring : NULL, out);
    }
    if (records) {
        char *json = cJSON_PrintUnformatted(records);
        aoa_status status = aoa_manifest_open("records", json, NULL, out);
        free(json);
        return status;
    }
    return aoa_manifest_open("path", cJSON_IsString(path) ? path->valuestring : NULL, NULL, out);
}

/* Compares a call's outcome (status, result text or last error) with a vector's `expected`. */
static void check_outcome(const char *file, const cJSON *expected, aoa_status status, const char *out) {
    const cJSON *want_error = cJSON_GetObjectItemCaseSensitive(expected, "error");
    if (status == AOA_STATUS_OK) {
        cJSON *actual = cJSON_Parse(out);
        CHECK(aoa_last_error() == NULL, "%s: a last error after success", file);
        CHECK(!want_error && cJSON_Compare(expected, actual, 1), "%s: result differs:\n  got %s", file, out);
        cJSON_Delete(actual);
    } else {
        const char *last = aoa_last_error();
        cJSON *got = last ? cJSON_Parse(last) : NULL;
        const cJSON *code = cJSON_GetObjectItemCaseSensitive(got, "code");
        CHECK(want_error != NULL, "%s: unexpected error %s", file, last ? last : "(none)");
        CHECK(cJSON_IsString(code) && status == status_of(code->valuestring), "%s: status %d for %s", file, status,
              last ? last : "(none)");
        CHECK(want_error && got && error_matches(want_error, got), "%s: error differs:\n  got %s", file,
              last ? last : "(none)");
        cJSON_Delete(got);
    }
}

static void run_vector(const char *file) {
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", VECTORS, file);
    char *text = read_file(path);
    cJSON *vector = text ? cJSON_Parse(text) : NULL;
    free(text);
    CHECK(vector != NULL, "%s: cannot read the vector", file);
    if (!vector) return;

    const cJSON *expected = cJSON_GetObjectItemCaseSensitive(vector, "expected");
    const cJSON *operation = cJSON_GetObjectItemCaseSensitive(vector, "operation");
    char *args = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(vector, "args"));

    /* aoa_call_free without a manifest, aoa_call_pair with a `new` one, aoa_call otherwise. */
    const cJSON *source = cJSON_GetObjectItemCaseSensitive(vector, "manifest");
    const cJSON *new_source = cJSON_GetObjectItemCaseSensitive(vector, "new");
    aoa_manifest *manifest = NULL, *new_manifest = NULL;
    char *out = NULL;
    aoa_status status = AOA_STATUS_OK;
    if (source) status = load(source, &manifest);
    if (status == AOA_STATUS_OK && new_source) status = load(new_source, &new_manifest);
    if (status == AOA_STATUS_OK) {
        if (!source) {
            status = aoa_call_free(operation->valuestring, args, &out);
        } else if (new_source) {
            status = aoa_call_pair(manifest, new_manifest, operation->valuestring, args, &out);
        } else {
            status = aoa_call(manifest, operation->valuestring, args, &out);
        }
    }
    check_outcome(file, expected, status, out);
    aoa_string_free(out);
    aoa_manifest_free(manifest);
    aoa_manifest_free(new_manifest);
    free(args);
    cJSON_Delete(vector);
}

static int by_name(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* A store vector: its steps through aoa_store_call on a fresh SQLite store in a temporary directory. */
static void run_store_vector(const char *file) {
    char path[1024], dir[] = "/tmp/aoa-store-XXXXXX", url[256], db[256];
    snprintf(path, sizeof path, "%s/%s", STORE_VECTORS, file);
    char *text = read_file(path);
    cJSON *vector = text ? cJSON_Parse(text) : NULL;
    free(text);
    CHECK(vector != NULL && mkdtemp(dir) != NULL, "%s: cannot read the vector or make a directory", file);
    if (!vector) return;
    snprintf(url, sizeof url, "sqlite:%s/state.db", dir);
    aoa_store *store = NULL;
    CHECK(aoa_store_open(url, STORE_OPTIONS, &store) == AOA_STATUS_OK, "%s: store_open: %s", file, aoa_last_error());
    const cJSON *step;
    cJSON_ArrayForEach(step, cJSON_GetObjectItemCaseSensitive(vector, "steps")) {
        const cJSON *source = cJSON_GetObjectItemCaseSensitive(step, "manifest");
        const cJSON *args = cJSON_GetObjectItemCaseSensitive(step, "args");
        char *args_json = args ? cJSON_PrintUnformatted(args) : NULL, *out = NULL;
        aoa_manifest *manifest = NULL;
        aoa_status status = source ? load(source, &manifest) : AOA_STATUS_OK;
        if (status == AOA_STATUS_OK) {
            const char *operation = cJSON_GetObjectItemCaseSensitive(step, "operation")->valuestring;
            status = aoa_store_call(store, manifest, operation, args_json, &out);
        }
        check_outcome(file, cJSON_GetObjectItemCaseSensitive(step, "expected"), status, out);
        aoa_string_free(out);
        aoa_manifest_free(manifest);
        free(args_json);
    }
    aoa_store_free(store);
    const char *suffixes[] = {"", "-wal", "-shm"};
    for (int i = 0; i < 3; i++) {
        snprintf(db, sizeof db, "%s/state.db%s", dir, suffixes[i]);
        remove(db);
    }
    remove(dir);
    cJSON_Delete(vector);
}

/* Every file of `folder` ending in .json, sorted, run through `run`; how many. */
static int run_folder(const char *folder, void (*run)(const char *)) {
    DIR *dir = opendir(folder);
    CHECK(dir != NULL, "cannot open %s (run from the repository root)", folder);
    if (!dir) return 0;
    char *names[4096];
    int n = 0;
    struct dirent *entry;
    while ((entry = readdir(dir)) != NULL && n < 4096) {
        size_t len = strlen(entry->d_name);
        if (len > 5 && strcmp(entry->d_name + len - 5, ".json") == 0) names[n++] = strdup(entry->d_name);
    }
    closedir(dir);
    qsort(names, (size_t)n, sizeof names[0], by_name);
    for (int i = 0; i < n; i++) {
        int before = failures;
        run(names[i]);
        printf("%s %s\n", failures == before ? "ok  " : "FAIL", names[i]);
        free(names[i]);
    }
    return n;
}

/* The ABI's contract beyond the vectors. */
static void check_contract(void) {
    aoa_manifest *m = NULL;
    char *out = NULL;

    CHECK(strlen(aoa_version()) > 0, "version");
    aoa_manifest_free(NULL);
    aoa_string_free(NULL);

    CHECK(aoa_manifest_open("path", NULL, NULL, &m) == AOA_STATUS_INVALID_ARGUMENT && m == NULL, "NULL path");
    CHECK(aoa_last_error() != NULL && strstr(aoa_last_error(), "\"invalid-argument\"") != NULL, "last error JSON");
    CHECK(aoa_manifest_open("text", "apps: [{name: a}]", "yaml", NULL) == AOA_STATUS_INVALID_ARGUMENT, "NULL out");
    CHECK(aoa_manifest_open("text", "apps: [{name: a}]", "toml", &m) == AOA_STATUS_INVALID_ARGUMENT, "bad format");
    CHECK(aoa_manifest_open("records", "{not json", NULL, &m) == AOA_STATUS_INVALID_ARGUMENT, "bad records");

    CHECK(aoa_manifest_open("text", "apps: [{name: a}, {name: b, depends_on: [a]}]", NULL, &m) == AOA_STATUS_OK,
          "from_str");
    CHECK(aoa_last_error() == NULL, "no last error after success");
    CHECK(aoa_manifest_open("yaml", "apps: []", NULL, &m) == AOA_STATUS_INVALID_ARGUMENT, "unknown kind");
    CHECK(aoa_call(m, "plan", NULL, &out) == AOA_STATUS_OK && strstr(out, "\"app_count\":2") != NULL, "plan");
    aoa_string_free(out);
    out = NULL;
    CHECK(aoa_call(m, "plan", "[1]", &out) == AOA_STATUS_INVALID_ARGUMENT && out == NULL, "args not an object");
    CHECK(aoa_call(m, "plan", "{", &out) == AOA_STATUS_INVALID_ARGUMENT, "args not JSON");
    CHECK(aoa_call(m, "plam", NULL, &out) == AOA_STATUS_INVALID_ARGUMENT &&
              strstr(aoa_last_error(), "did you mean `plan`?") != NULL,
          "unknown operation");
    CHECK(aoa_call(m, "plan", "{\"max_paralel\": 2}", &out) == AOA_STATUS_INVALID_ARGUMENT &&
              strstr(aoa_last_error(), "did you mean `max_parallel`?") != NULL,
          "unknown argument");
    CHECK(aoa_call(m, NULL, NULL, &out) == AOA_STATUS_INVALID_ARGUMENT, "NULL operation");
    CHECK(aoa_call(m, "plan", NULL, NULL) == AOA_STATUS_INVALID_ARGUMENT, "NULL out_json");
    CHECK(aoa_call(NULL, "plan", NULL, &out) == AOA_STATUS_INVALID_ARGUMENT, "NULL manifest");
    CHECK(aoa_call(m, "plan", "{\"max_parallel\": 1}", &out) == AOA_STATUS_OK, "call after errors");
    aoa_string_free(out);
    out = NULL;

    aoa_manifest *granted = NULL;
    CHECK(aoa_manifest_open("text", "apps: [{name: a, grants: [{subject: 'user:ann', actions: [deploy]}]}, "
                                "{name: b, depends_on: [a]}]",
                                "yaml", &granted) == AOA_STATUS_OK,
          "manifest with a grant");
    CHECK(aoa_call_pair(m, granted, "diff", NULL, &out) == AOA_STATUS_OK && strstr(out, "\"gained\":1") != NULL,
          "diff gains");
    aoa_string_free(out);
    out = NULL;
    CHECK(aoa_call_pair(m, NULL, "diff", NULL, &out) == AOA_STATUS_INVALID_ARGUMENT && out == NULL, "diff with NULL");
    CHECK(aoa_call(m, "diff", NULL, &out) == AOA_STATUS_INVALID_ARGUMENT &&
              strstr(aoa_last_error(), "takes two manifests") != NULL,
          "diff through aoa_call");
    CHECK(aoa_call_free("schema_fingerprint", "{\"schema\": \"\\\"int\\\"\"}", &out) == AOA_STATUS_OK &&
              strstr(out, "\"canonical_form\"") != NULL,
          "schema_fingerprint");
    aoa_string_free(out);
    out = NULL;
    CHECK(strcmp(aoa_version(), "0.1.0") == 0, "version from the crate");
    aoa_manifest_free(granted);
    aoa_manifest_free(m);
}

int main(void) {
    check_statuses();
    check_contract();
    int n = run_folder(VECTORS, run_vector);
    int stores = run_folder(STORE_VECTORS, run_store_vector);
    printf("%d vectors, %d store vectors, %d failure(s)\n", n, stores, failures);
    return failures == 0 && n > 0 && stores > 0 ? 0 : 1;
}
