/// Camera URLs carry passwords. Everything that leaves the registry (tables, JSON, logs,
/// errors, FFmpeg's own messages) goes through `redactSecrets`.
public enum Redaction {
    /// `rtsp://user:pass@host/...` becomes `rtsp://user:***@host/...`; `password=`-style query
    /// parameters are masked too. Works on free text holding any number of URLs.
    public static func redactSecrets(_ text: String) -> String {
        guard text.contains("@") || text.contains("=") else { return text }
        var result = text.replacing(userinfoPattern) { match in
            "\(match.output.1):***@"
        }
        if result.contains("=") {
            result = result.replacing(queryPattern) { match in "\(match.output.1)=***" }
        }
        return result
    }

    /// For one URL that may be malformed (spaces or '/' in the password): everything between
    /// `scheme://user:` and the last '@' is masked.
    public static func redactURL(_ url: String) -> String {
        guard let sep = url.range(of: "://"), let at = url[sep.upperBound...].lastIndex(of: "@") else {
            return redactSecrets(url)
        }
        let userinfo = url[sep.upperBound..<at]
        guard let colon = userinfo.firstIndex(of: ":") else { return redactSecrets(url) }
        return redactSecrets(String(url[..<colon]) + ":***" + String(url[at...]))
    }

    // scheme://user:password@ — the password runs to the last '@' before the path.
    nonisolated(unsafe) private static let userinfoPattern =
        #/([A-Za-z][A-Za-z0-9+.\-]*://[^\s/@:]*):[^\s/]*@/#
    nonisolated(unsafe) private static let queryPattern =
        #/(?i)([?&;](?:password|passwd|pwd|pass|token|auth|key))=[^&\s#]*/#
}
