import CamindexCore
import CamindexProvince
import CamindexStore
import Foundation

/// `camindex publish`: a county's changes since the province last applied one of them, in
/// batches, each applied with the county's new sequence mark in one PostgreSQL transaction.
/// Interrupted anywhere (the process killed, the connection lost, the server restarted), the
/// next run starts after the last committed batch: nothing lost, nothing applied twice.
public enum Publish {
    public struct Result: Sendable, Encodable {
        public var county: String
        public var province: String
        /// The province's mark before and after.
        public var fromSeq: Int64
        public var toSeq: Int64
        public var changes: Int
        public var batches: Int
    }

    /// `stopping` is asked between batches: once it says so, the pass ends after the last
    /// committed batch (the daemon stopping).
    public static func run(store: Store, to url: ProvinceURL, batchSize: Int = 2000, stopping: () -> Bool = { false }) throws -> Result {
        let county = try store.publishCounty().code
        let province = try ProvinceDatabase(url: url)
        try province.migrate()
        var mark = try province.prepareCounty(county)
        let head = try store.outboxHead()
        if mark > head {
            // The province has changes this store never made: another store claims the county,
            // or this one was restored from a backup older than the last publish.
            throw CamindexError.runtime("province \(url) has applied county \(county)'s changes through seq \(mark), but this store's outbox ends at \(head): is it another store of the same county, or a restored backup? Nothing was published",
                                        code: .publishCounty, value: county)
        }
        var result = Result(county: county, province: url.description, fromSeq: mark, toSeq: mark, changes: 0, batches: 0)
        while !stopping() {
            let batch = try store.outboxBatch(county: county, after: mark, limit: max(1, batchSize))
            guard !batch.changes.isEmpty else { break }
            if try province.apply(batch, expected: mark) {
                mark = batch.lastSeq
                result.changes += batch.changes.count
                result.batches += 1
            } else {
                // Another publisher of this county moved the mark: carry on from it.
                mark = try province.lastSeq(county: county)
            }
        }
        result.toSeq = mark
        // Deletions every province holds need not be kept (a read-only store keeps them).
        if !store.readOnly { try store.recordPublished(target: url.description, through: mark) }
        return result
    }
}
