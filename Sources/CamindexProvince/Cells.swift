import CamindexCore
import PostgresNIO

/// A row's cells, read left to right, each decoded by its Swift type's own decoder.
/// PostgresNIO's tuple decoding (`row.decode((String, Int64).self)`) goes through parameter
/// packs that are not specialized across the module boundary: every cell looks up type
/// metadata at run time, about 1 µs, which was most of a province query's time over a county's
/// 2,300 cameras and most of health's over 50,000.
struct Cells {
    private var iterator: PostgresRow.Iterator

    init(_ row: PostgresRow) { iterator = row.makeIterator() }

    mutating func next<T: PostgresDecodable>(_: T.Type = T.self) throws -> T {
        guard let cell = iterator.next() else {
            throw CamindexError.runtime("province: a row has fewer columns than its statement names", code: .provinceFailed, value: "")
        }
        return try cell.decode(T.self)
    }

    mutating func skip() { _ = iterator.next() }
}

extension PostgresRow {
    var cells: Cells { Cells(self) }
}
