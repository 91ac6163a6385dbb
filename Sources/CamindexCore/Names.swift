/// Region and camera names: what is accepted at input, and how a name is shown so that a
/// stored one (from before these checks, or another tool) cannot forge table rows or drive
/// the terminal.
public enum Names {
    public static let maxLength = 100

    /// The trimmed name; refuses an empty one, control characters and more than `maxLength`
    /// characters. `what` names the input ("region 620723100 name").
    public static func validate(_ name: String, what: String) throws(CamindexError) -> String {
        let trimmed = name.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { throw .usage("\(what) is empty", code: .nameInvalid) }
        if let c = trimmed.unicodeScalars.first(where: isControl) {
            throw .usage("\(what) '\(printable(trimmed))' holds a control character (\(escape(c))): names are one line of text",
                         code: .nameInvalid, value: printable(trimmed))
        }
        guard trimmed.count <= maxLength else {
            throw .usage("\(what) is \(trimmed.count) characters long; at most \(maxLength)", code: .nameInvalid,
                         value: String(printable(trimmed).prefix(40)) + "…")
        }
        return trimmed
    }

    /// `name` with every control character written as an escape (`\n`, `\u{1B}`).
    public static func printable(_ s: String) -> String {
        guard s.unicodeScalars.contains(where: isControl) else { return s }
        return s.unicodeScalars.map { isControl($0) ? escape($0) : String($0) }.joined()
    }

    static func isControl(_ u: Unicode.Scalar) -> Bool {
        u.value < 0x20 || (0x7F...0x9F).contains(u.value) || u.value == 0x2028 || u.value == 0x2029
            || (0x202A...0x202E).contains(u.value) || (0x2066...0x2069).contains(u.value)
    }

    static func escape(_ u: Unicode.Scalar) -> String {
        switch u {
        case "\n": "\\n"
        case "\r": "\\r"
        case "\t": "\\t"
        default: "\\u{" + String(u.value, radix: 16, uppercase: true) + "}"
        }
    }
}

/// Why a thing is looked up or exported (a case number, a request), as the audit trail and the
/// export's manifest keep it.
public enum Reason {
    /// Longer than a case number and a sentence of why; a longer one would widen every audit
    /// table row after it.
    public static let maxLength = 500

    /// The trimmed reason, or nil when none was given. A reason of only white space (newlines
    /// included) is no reason; one longer than `maxLength` is refused. Control characters are
    /// kept, and escaped wherever a reason is shown.
    public static func validate(_ reason: String?) throws(CamindexError) -> String? {
        guard let reason else { return nil }
        let trimmed = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else {
            throw .usage("--reason is blank: give the case number or request, or leave --reason out", code: .reasonInvalid)
        }
        guard trimmed.count <= maxLength else {
            throw .usage("--reason is \(trimmed.count) characters long; at most \(maxLength)", code: .reasonInvalid,
                         value: String(Names.printable(trimmed).prefix(40)) + "…")
        }
        return trimmed
    }
}
