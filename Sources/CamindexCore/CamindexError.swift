/// An error a user can act on. `usage` errors are bad input (exit 2), `runtime` ones are
/// failures while doing the work (exit 1). The message names the input and where it was.
public struct CamindexError: Error, Hashable, CustomStringConvertible, Sendable {
    public enum Kind: Hashable, Sendable { case usage, runtime }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public static func usage(_ message: String) -> CamindexError { .init(.usage, message) }
    public static func runtime(_ message: String) -> CamindexError { .init(.runtime, message) }

    public var description: String { message }
}
