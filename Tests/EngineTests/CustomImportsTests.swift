import Config
import Engine
import Foundation
import Testing

/// `custom_imports` (Python modules that register types) cannot be honoured without Python:
/// an error naming the modules, or with `allow_failed_imports=True` a warning, as mmengine
/// warns when such an import fails.
@Suite struct CustomImportsTests {
    static func config(_ text: String) throws -> ConfigView {
        try ConfigLoader(environment: [:]).load(text: text, file: "/nonexistent/cfg.py")
    }

    @Test func refusedWithTheModulesNamed() throws {
        let c = try Self.config("custom_imports = dict(imports=['my_project.datasets', 'my_project.hooks'])\n")
        do {
            try ConfigFile.checkCustomImports(c) { _ in Issue.record("warned instead of failing") }
            Issue.record("accepted")
        } catch let error as ConfigError {
            #expect(error.message.contains("my_project.datasets, my_project.hooks"))
            #expect(error.message.contains("allow_failed_imports=True"))
            #expect(error.description.contains("custom_imports.imports"))
        }
    }

    @Test func allowedFailuresWarnAndGoOn() throws {
        let c = try Self.config("custom_imports = dict(imports='my_project.datasets', allow_failed_imports=True)\n")
        var warnings: [String] = []
        try ConfigFile.checkCustomImports(c) { warnings.append($0) }
        #expect(warnings.count == 1 && warnings[0].contains("my_project.datasets not imported"))
        try ConfigFile.checkCustomImports(try Self.config("x = 1\n")) { warnings.append($0) }
        #expect(warnings.count == 1)
        #expect(throws: ConfigError.self) { try ConfigFile.checkCustomImports(try Self.config("custom_imports = dict(imports=[], module='x')\n")) }
    }
}
