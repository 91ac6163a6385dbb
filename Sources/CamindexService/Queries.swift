import CamindexCore
import Foundation

/// The read side of camindex: every question a read command asks, as a function from plain
/// input values to plain result values, over any store that implements `IndexReader` (the
/// county's SQLite file, a province's PostgreSQL). The commands only parse and render.
public struct Queries: Sendable {
    public let reader: any IndexReader
    public let clock: any WallClock

    public init(reader: any IndexReader, clock: any WallClock = SystemClock()) {
        self.reader = reader
        self.clock = clock
    }
}
