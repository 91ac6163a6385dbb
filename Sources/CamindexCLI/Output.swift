import ArgumentParser
import CamindexCore
import CamindexService
import Foundation

/// How a command prints: aligned tables for people, JSON and CSV for programs.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable, Sendable {
    case table, json, csv
}

/// For commands whose answer is no list of rows: `--format csv` is refused by the parser,
/// naming the two it has.
enum TableOrJSON: String, ExpressibleByArgument, CaseIterable, Sendable {
    case table, json
}

enum Output {
    static func json(_ value: some Encodable) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .withoutEscapingSlashes, .sortedKeys]
        let data = try encoder.encode(value)
        print(String(decoding: data, as: UTF8.self))
    }

    /// RFC 4180: fields with commas, quotes or line breaks are quoted.
    static func csv(header: [String], rows: [[String]]) {
        print(TextFormat.csv(header: header, rows: rows), terminator: "")
    }

    /// Columns aligned by display width (a Chinese character takes two cells).
    static func table(header: [String], rows: [[String]], rightAligned: Set<Int> = []) -> String {
        // A stored name must not forge rows or drive the terminal.
        let rows = rows.map { $0.map(Names.printable) }
        var widths = header.map(displayWidth)
        for row in rows {
            for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], displayWidth(cell)) }
        }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, cell in
                let pad = String(repeating: " ", count: max(0, widths[i] - displayWidth(cell)))
                if i == cells.count - 1 && !rightAligned.contains(i) { return cell }
                return rightAligned.contains(i) ? pad + cell : cell + pad
            }.joined(separator: "  ")
        }
        return ([line(header)] + rows.map(line)).joined(separator: "\n")
    }

    static func displayWidth(_ s: String) -> Int {
        s.unicodeScalars.reduce(0) { n, u in
            switch u.value {
            case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF,
                 0xA000...0xA4CF, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60,
                 0xFFE0...0xFFE6, 0x20000...0x3FFFD:
                n + 2
            case 0x0300...0x036F, 0x200B...0x200F: n
            default: n + 1
            }
        }
    }

    static func seconds(ms: Int64) -> Double { JSONValues.seconds(ms: ms) }

    /// Seconds as text the way JSON writes them: `120`, `1.5`.
    static func secondsText(ms: Int64) -> String { ms % 1000 == 0 ? String(ms / 1000) : String(Double(ms) / 1000) }

    static func percent(_ ratio: Double) -> String {
        ratio >= 1 ? "100%" : String(format: "%.1f%%", ratio * 100)
    }

    /// A text bar of `width` cells over `range`: █ footage, ▌ partly, · none.
    static func timeline(_ windows: [Interval], range: Interval, width: Int = 40) -> String {
        guard range.durationMs > 0 else { return "" }
        var cells = ""
        let step = Double(range.durationMs) / Double(width)
        for i in 0..<width {
            let cell = Interval(startMs: range.start.ms + Int64(Double(i) * step), endMs: range.start.ms + Int64(Double(i + 1) * step))
            let covered = windows.compactMap { $0.clipped(to: cell) }.reduce(Int64(0)) { $0 + $1.durationMs }
            let ratio = cell.durationMs > 0 ? Double(covered) / Double(cell.durationMs) : 0
            cells += ratio >= 0.99 ? "█" : ratio > 0.01 ? "▌" : "·"
        }
        return cells
    }
}

extension HealthCheck: ExpressibleByArgument {}
extension StreamTransport: ExpressibleByArgument {}
extension GBDatum: ExpressibleByArgument {}

/// Durations the options take: finite and within what the index counts in milliseconds
/// (`--settle 1e300` is refused by name, not a crash).
enum Durations {
    static func check(_ value: Double, _ option: String, unit: String = "seconds", zero: Bool = false, max: Double) throws {
        guard value.isFinite, zero ? value >= 0 : value > 0, value <= max else {
            let low = zero ? "zero" : "more than zero"
            throw CamindexError.usage("\(option) is from \(low) to \(Int(max)) \(unit), not \(value)", value: "\(value)")
        }
    }
}
