// The C view of simdjson's DOM declared in include/simdjson_shim.h.
#include "simdjson_shim.h"

#include <simdjson.h>

#include <cstring>
#include <new>
#include <type_traits>

using simdjson::dom::element;
using simdjson::dom::element_type;

static_assert(sizeof(element) == sizeof(sdj_value), "sdj_value must hold a dom::element");
static_assert(std::is_trivially_copyable<element>::value, "dom::element must be trivially copyable");
static_assert(SDJ_PADDING >= simdjson::SIMDJSON_PADDING, "SDJ_PADDING below simdjson's padding");

struct sdj_document {
    simdjson::dom::parser parser;
};

static inline element unwrap(sdj_value value) {
    element e;
    std::memcpy(static_cast<void *>(&e), &value, sizeof e);
    return e;
}

static inline sdj_value wrap(element e) {
    sdj_value value;
    std::memcpy(&value, static_cast<const void *>(&e), sizeof value);
    return value;
}

extern "C" sdj_document *sdj_document_new(void) { return new (std::nothrow) sdj_document(); }

extern "C" void sdj_document_free(sdj_document *document) { delete document; }

extern "C" int sdj_parse(sdj_document *document, const char *text, size_t length, size_t max_depth, sdj_value *root) {
    auto &parser = document->parser;
    if (auto error = parser.allocate(length, max_depth)) return int(error);
    element e;
    auto error = parser.parse(reinterpret_cast<const uint8_t *>(text), length, false).get(e);
    if (error) return int(error);
    *root = wrap(e);
    return 0;
}

extern "C" const char *sdj_error_message(int code) {
    return simdjson::error_message(simdjson::error_code(code));
}

extern "C" const char *sdj_implementation(void) {
    return simdjson::get_active_implementation()->name().c_str();
}

extern "C" sdj_type sdj_value_type(sdj_value value) {
    switch (unwrap(value).type()) {
    case element_type::ARRAY: return SDJ_ARRAY;
    case element_type::OBJECT: return SDJ_OBJECT;
    case element_type::INT64: return SDJ_INT64;
    case element_type::UINT64: return SDJ_UINT64;
    case element_type::DOUBLE: return SDJ_DOUBLE;
    case element_type::STRING: return SDJ_STRING;
    case element_type::BOOL: return SDJ_BOOL;
    default: return SDJ_NULL;
    }
}

extern "C" int sdj_bool(sdj_value value) {
    bool b = false;
    (void)unwrap(value).get_bool().get(b);
    return b ? 1 : 0;
}

extern "C" int64_t sdj_int64(sdj_value value) {
    int64_t i = 0;
    (void)unwrap(value).get_int64().get(i);
    return i;
}

extern "C" double sdj_double(sdj_value value) {
    double d = 0;
    (void)unwrap(value).get_double().get(d);
    return d;
}

extern "C" const char *sdj_string(sdj_value value, size_t *length) {
    std::string_view s;
    if (unwrap(value).get_string().get(s)) { *length = 0; return ""; }
    *length = s.size();
    return s.data();
}

extern "C" size_t sdj_array_count(sdj_value value) {
    simdjson::dom::array array;
    if (unwrap(value).get_array().get(array)) return 0;
    size_t n = array.size();
    if (n < 0xFFFFFF) return n;  // the tape saturates the count: count by walking
    n = 0;
    for (element e : array) { (void)e; n++; }
    return n;
}

extern "C" size_t sdj_array_values(sdj_value value, sdj_value *out, size_t capacity) {
    simdjson::dom::array array;
    if (unwrap(value).get_array().get(array)) return 0;
    size_t n = 0;
    for (element e : array) {
        if (n == capacity) break;
        out[n++] = wrap(e);
    }
    return n;
}

extern "C" int sdj_array_at(sdj_value value, size_t index, sdj_value *out) {
    simdjson::dom::array array;
    if (unwrap(value).get_array().get(array)) return 0;
    size_t i = 0;
    for (element e : array) {
        if (i++ == index) { *out = wrap(e); return 1; }
    }
    return 0;
}

extern "C" ptrdiff_t sdj_array_doubles(sdj_value value, double *out, size_t capacity) {
    simdjson::dom::array array;
    if (unwrap(value).get_array().get(array)) return 0;
    ptrdiff_t n = 0;
    for (element e : array) {
        if (size_t(n) == capacity) break;
        switch (e.type()) {
        case element_type::DOUBLE: out[n] = double(e); break;
        case element_type::INT64: out[n] = double(int64_t(e)); break;
        case element_type::BOOL: out[n] = bool(e) ? 1.0 : 0.0; break;
        default: return n;
        }
        n++;
    }
    return -1;
}

extern "C" uint64_t sdj_object_fields(sdj_value value, const char *const *keys, const size_t *lengths, size_t count, sdj_value *out) {
    simdjson::dom::object object;
    if (count > 64 || unwrap(value).get_object().get(object)) return 0;
    uint64_t found = 0;
    for (auto member : object) {
        const std::string_view key = member.key;
        for (size_t k = 0; k < count; k++) {
            if (key.size() == lengths[k] && std::memcmp(key.data(), keys[k], lengths[k]) == 0) {
                out[k] = wrap(member.value);
                found |= uint64_t(1) << k;
                break;
            }
        }
    }
    return found;
}

extern "C" size_t sdj_object_count(sdj_value value) {
    simdjson::dom::object object;
    if (unwrap(value).get_object().get(object)) return 0;
    size_t n = object.size();
    if (n < 0xFFFFFF) return n;
    n = 0;
    for (auto member : object) { (void)member; n++; }
    return n;
}
