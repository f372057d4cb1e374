import CJPEG
import CJSONC
import CSimdJSON
import COpenBLAS
import CYAML
import Testing

/// The system libraries link and answer a real call each.
@Suite struct SystemLibrariesTests {
    @Test func openBLASMultipliesAMatrix() {
        let a: [Float] = [1, 2, 3, 4]  // 2x2
        let b: [Float] = [5, 6, 7, 8]
        var c = [Float](repeating: 0, count: 4)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, 2, 2, 2, 1, a, 2, b, 2, 0, &c, 2)
        #expect(c == [19, 22, 43, 50])
    }

    @Test func jsonCParsesAnObject() {
        let obj = json_tokener_parse("{\"a\": [1, 2, 3]}")
        #expect(obj != nil)
        var arr: OpaquePointer? = nil
        #expect(json_object_object_get_ex(obj, "a", &arr) != 0)
        #expect(json_object_array_length(arr) == 3)
        json_object_put(obj)
    }

    /// The C view of simdjson's DOM: types, numbers as json-c reads them, the last of
    /// duplicate keys, the first non-number of an array, errors.
    @Test func simdjsonShimReadsADocument() throws {
        let source = #"{"a": [1, 2.5, true, "x"], "k": 1, "k": -7, "s": "h\u00e9", "big": 18446744073709551615}"#
        var bytes = Array(source.utf8)
        let length = bytes.count
        bytes += [UInt8](repeating: 0, count: Int(SDJ_PADDING))
        let document = try #require(sdj_document_new())
        defer { sdj_document_free(document) }
        var root = sdj_value()
        let status = bytes.withUnsafeBufferPointer {
            $0.baseAddress!.withMemoryRebound(to: CChar.self, capacity: $0.count) { sdj_parse(document, $0, length, 64, &root) }
        }
        #expect(status == 0)
        #expect(sdj_value_type(root) == SDJ_OBJECT && sdj_object_count(root) == 5)
        let keys: [StaticString] = ["a", "k", "s", "big", "absent"]
        var names = keys.map { key in key.utf8Start.withMemoryRebound(to: CChar.self, capacity: key.utf8CodeUnitCount) { Optional($0) } }
        var lengths = keys.map(\.utf8CodeUnitCount)
        var values = [sdj_value](repeating: sdj_value(), count: keys.count)
        #expect(sdj_object_fields(root, &names, &lengths, keys.count, &values) == 0b01111)
        #expect(sdj_value_type(values[1]) == SDJ_INT64 && sdj_int64(values[1]) == -7)
        #expect(sdj_value_type(values[3]) == SDJ_UINT64)
        var stringLength = 0
        let s = sdj_string(values[2], &stringLength)!
        #expect(String(decoding: UnsafeRawBufferPointer(start: s, count: stringLength), as: UTF8.self) == "h\u{e9}")
        #expect(sdj_array_count(values[0]) == 4)
        var numbers = [Double](repeating: 0, count: 4)
        #expect(sdj_array_doubles(values[0], &numbers, 4) == 3)
        #expect(numbers[0..<3] == [1, 2.5, 1])
        var third = sdj_value()
        #expect(sdj_array_at(values[0], 3, &third) == 1 && sdj_value_type(third) == SDJ_STRING)
        #expect(sdj_array_at(values[0], 4, &third) == 0)
        var bad = Array("[1, 2".utf8) + [UInt8](repeating: 0, count: Int(SDJ_PADDING))
        let failed = bad.withUnsafeMutableBufferPointer {
            $0.baseAddress!.withMemoryRebound(to: CChar.self, capacity: $0.count) { sdj_parse(document, $0, 5, 64, &root) }
        }
        #expect(failed != 0 && !String(cString: sdj_error_message(failed)).isEmpty)
    }

    @Test func libyamlReportsItsVersion() {
        var major: Int32 = 0, minor: Int32 = 0, patch: Int32 = 0
        yaml_get_version(&major, &minor, &patch)
        #expect(major == 0 && minor >= 1)
    }

    @Test func libjpegCreatesADecompressor() {
        var err = jpeg_error_mgr()
        var cinfo = jpeg_decompress_struct()
        cinfo.err = jpeg_std_error(&err)
        jpeg_CreateDecompress(&cinfo, JPEG_LIB_VERSION, MemoryLayout<jpeg_decompress_struct>.size)
        #expect(cinfo.global_state != 0)
        jpeg_destroy_decompress(&cinfo)
    }
}
