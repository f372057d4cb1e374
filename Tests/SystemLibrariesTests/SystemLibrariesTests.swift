import CJPEG
import CJSONC
import COpenBLAS
import CYAML
import Testing

/// The four system libraries link and answer a real call each.
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
