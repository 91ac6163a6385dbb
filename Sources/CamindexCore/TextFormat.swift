import Foundation

/// How camindex writes durations and CSV, for every command and report alike.
public enum TextFormat {
    /// `1h02m03s`, `4m05s`, `45s`, `45.2s`: durations for people.
    public static func duration(ms: Int64) -> String {
        let total = ms / 1000
        let h = total / 3600, m = total / 60 % 60, s = total % 60
        func pad(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }
        if h > 0 { return "\(h)h\(pad(m))m\(pad(s))s" }
        if m > 0 { return "\(m)m\(pad(s))s" }
        if ms % 1000 == 0 { return "\(s)s" }
        return String(format: "%.1fs", Double(ms) / 1000)
    }

    /// `812 B`, `45.3 MB`, `1.20 GB` (powers of 1000): file sizes for people.
    public static func bytes(_ n: Int64) -> String {
        if n < 1000 { return "\(n) B" }
        if n < 1_000_000 { return String(format: "%.1f kB", Double(n) / 1e3) }
        if n < 1_000_000_000 { return String(format: "%.1f MB", Double(n) / 1e6) }
        return String(format: "%.2f GB", Double(n) / 1e9)
    }

    /// One RFC 4180 line: fields with commas, quotes or line breaks are quoted.
    public static func csvLine(_ fields: [String]) -> String {
        fields.map { s in
            s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
                ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
        }.joined(separator: ",")
    }

    /// A whole CSV document, header first, each line ending in a newline.
    public static func csv(header: [String], rows: [[String]]) -> String {
        ([header] + rows).map { csvLine($0) + "\n" }.joined()
    }
}
