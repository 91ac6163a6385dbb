import Foundation
import Testing
@testable import CamindexCore

/// The error codes are a contract for scripts: a closed catalogue, each code of one form, used
/// by the code and written down for the people who script against it.
struct ErrorCatalogueTests {
    static let root: URL = {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" && !FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) {
            url.deleteLastPathComponent()
        }
        return url
    }()

    static func sources() throws -> String {
        let dir = root.appendingPathComponent("Sources")
        let files = (FileManager.default.enumerator(atPath: dir.path)?.allObjects as? [String] ?? []).filter { $0.hasSuffix(".swift") }
        return try files.filter { !$0.hasSuffix("CamindexError.swift") }
            .map { try String(contentsOf: dir.appendingPathComponent($0), encoding: .utf8) }.joined(separator: "\n")
    }

    @Test func everyCodeIsDottedUniqueAndUsed() throws {
        let codes = CamindexError.Code.allCases
        #expect(Set(codes.map(\.rawValue)).count == codes.count, "two cases share a code")
        let form = /^[a-z]+(_[a-z]+)*\.[a-z]+(_[a-z]+)*$/
        for code in codes {
            #expect(code.rawValue.wholeMatch(of: form) != nil, "\(code.rawValue) is not area.name")
        }
        let text = try Self.sources()
        for code in codes {
            #expect(text.range(of: "\\.\(caseName(code))\\b", options: .regularExpression) != nil,
                    "\(code.rawValue) is in the catalogue but no code throws it")
        }
    }

    @Test func noCodeIsMadeOutsideTheCatalogue() throws {
        let text = try Self.sources()
        #expect(text.range(of: #"code: "[a-z_]+\.[a-z_]+""#, options: .regularExpression) == nil, "a code written as a string literal")
        #expect(!text.contains("Code(rawValue:"), "a code made from a string")
    }

    @Test func theDesignDocumentListsEveryCode() throws {
        let doc = try String(contentsOf: Self.root.appendingPathComponent("docs/ARCHITECTURE.md"), encoding: .utf8)
        for code in CamindexError.Code.allCases {
            #expect(doc.contains("`\(code.rawValue)`"), "docs/ARCHITECTURE.md does not list \(code.rawValue)")
        }
    }

    @Test func anErrorConvertedFromAnotherLayerKeepsItsCode() {
        struct Lower: CamindexErrorConvertible { var camindexError: CamindexError { .runtime("gone", code: .mediaNotFound, value: "/x") } }
        let e = Lower().camindexError
        #expect(e.code == .mediaNotFound && e.kind == .runtime && e.value == "/x")
    }

    /// The Swift name of a case (`regionUnknown` for `region.unknown`).
    private func caseName(_ code: CamindexError.Code) -> String { String(String(reflecting: code).split(separator: ".").last ?? "") }
}
