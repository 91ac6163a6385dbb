import Testing

extension CLI {
    /// Runs camindex on the store `db` and expects exit `status` (nil: any); a failure names
    /// the command line and shows its output. The suites' `ci` helpers are this.
    @discardableResult
    public static func expecting(_ args: [String], db: String, status: Int32? = 0, env: [String: String] = [:], asUser: String? = nil,
                                 sourceLocation: SourceLocation = #_sourceLocation) throws -> Result {
        let r = try run(["--db", db] + args, env: env, asUser: asUser)
        #expect(status == nil || r.status == status, "camindex \(args.joined(separator: " ")) → \(r.status)\n\(r.all)", sourceLocation: sourceLocation)
        return r
    }
}
