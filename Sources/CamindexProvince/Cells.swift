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

/// The columns a statement selects, by name: its select list is made from them, and its rows
/// are read by name (`NamedCells`), so a column added to a published table is added in one
/// list (`ProvinceSchema.tables`) and read where it is used.
struct ColumnList: Sendable {
    let names: [String]
    fileprivate let position: [String: Int]

    init(_ names: [String]) {
        self.names = names
        position = Dictionary(names.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
    }

    /// The select list, each column of table `alias` when given.
    func select(_ alias: String? = nil) -> String {
        names.map { (alias.map { "\($0)." } ?? "") + $0 }.joined(separator: ", ")
    }

    /// The published columns of `table` (the county store's names).
    static func published(_ table: PublishedTable) -> [String] { ProvinceSchema.tables[table]!.columns.map(\.0) }
}

/// A row read by column name, the names those of the `ColumnList` its statement selected
/// from cell `offset` on (a join selects one list after another).
struct NamedCells {
    private let cells: [PostgresCell]
    private let columns: ColumnList
    private let offset: Int

    init(_ row: PostgresRow, _ columns: ColumnList, from offset: Int = 0) {
        cells = Array(row)
        self.columns = columns
        self.offset = offset
    }

    func callAsFunction<T: PostgresDecodable>(_ name: String, _: T.Type = T.self) throws -> T {
        guard let i = columns.position[name], offset + i < cells.count else {
            throw CamindexError.runtime("province: no column \(name) in the row read", code: .provinceFailed, value: name)
        }
        return try cells[offset + i].decode(T.self)
    }
}
