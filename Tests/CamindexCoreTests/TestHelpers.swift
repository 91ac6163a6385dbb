import Testing
@testable import CamindexCore

struct MissingError: Error {}

/// Runs `body`, which must throw a `CamindexError`, and returns that error. When `body`
/// returns instead, records an issue and throws, so the test stops there.
func expectError<T>(
    sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () throws -> T
) throws -> CamindexError {
    do {
        let value = try body()
        Issue.record("expected a CamindexError, got \(value)", sourceLocation: sourceLocation)
        throw MissingError()
    } catch let error as CamindexError {
        return error
    }
}
