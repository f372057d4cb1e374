// A C view of simdjson's DOM (Debian's libsimdjson 3.0.1): parse a padded buffer once, then
// read values by handle. Swift cannot include simdjson.h (C++); this header is plain C.
#ifndef SWIFTDET_SIMDJSON_SHIM_H
#define SWIFTDET_SIMDJSON_SHIM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Bytes that must be readable (any value) after the end of the text given to `sdj_parse`.
#define SDJ_PADDING 64

/// A parser and the document it parsed last. Not thread-safe; values may be read from any
/// thread while the document is alive and not re-parsed.
typedef struct sdj_document sdj_document;

/// One value of a parsed document (a copy of simdjson's `dom::element`).
typedef struct { uint64_t document; uint64_t index; } sdj_value;

typedef enum {
    SDJ_NULL = 0, SDJ_BOOL, SDJ_INT64, SDJ_UINT64, SDJ_DOUBLE, SDJ_STRING, SDJ_ARRAY, SDJ_OBJECT
} sdj_type;

sdj_document *sdj_document_new(void);
void sdj_document_free(sdj_document *document);

/// Parses `length` bytes at `text` (readable up to `text + length + SDJ_PADDING`) with at most
/// `max_depth` levels of nesting. 0 on success (`*root` set), else a simdjson error code.
int sdj_parse(sdj_document *document, const char *text, size_t length, size_t max_depth, sdj_value *root);
/// simdjson's message for an error code.
const char *sdj_error_message(int code);
/// The instruction set simdjson chose on this CPU (e.g. "icelake", "haswell").
const char *sdj_implementation(void);

sdj_type sdj_value_type(sdj_value value);
/// The value of a bool.
int sdj_bool(sdj_value value);
/// The value of an int64 number.
int64_t sdj_int64(sdj_value value);
/// The value of a double number.
double sdj_double(sdj_value value);
/// The bytes of a string (valid while the document lives).
const char *sdj_string(sdj_value value, size_t *length);

/// Number of elements of an array (0 for anything else).
size_t sdj_array_count(sdj_value value);
/// Writes the first `capacity` elements of an array to `out`; returns how many were written.
size_t sdj_array_values(sdj_value value, sdj_value *out, size_t capacity);
/// Element `index` of an array to `*out` (walks the array: O(index)); 0 when there is none.
int sdj_array_at(sdj_value value, size_t index, sdj_value *out);
/// Writes the elements of an array of numbers (int64, double, bool as 0/1) as doubles to `out`
/// (at most `capacity`); returns -1 when all were numbers, else the index of the first element
/// that is not (or is an integer above INT64_MAX).
ptrdiff_t sdj_array_doubles(sdj_value value, double *out, size_t capacity);

/// For each of `count` keys (`keys[k]`, `lengths[k]` bytes) the value of the object's LAST
/// member of that name goes to `out[k]` (as Python's json keeps the last duplicate); returns the
/// bit mask of the keys found (count <= 64). 0 for anything but an object.
uint64_t sdj_object_fields(sdj_value value, const char *const *keys, const size_t *lengths, size_t count, sdj_value *out);
/// Number of members of an object (0 for anything else).
size_t sdj_object_count(sdj_value value);

#ifdef __cplusplus
}
#endif

#endif
