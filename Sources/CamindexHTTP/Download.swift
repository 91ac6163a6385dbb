import CamindexCore
import Foundation
import HTTPTypes
import Hummingbird

/// A file of an export, whole or by a byte range (`Range: bytes=A-B`, `bytes=A-`, `bytes=-N`),
/// so that a 3 GB clip broken off halfway resumes where it stopped. A clip's ETag is its
/// SHA-256 from the manifest, and `If-Range` with it resumes only the same clip.
enum Download {
    static func response(path: String, name: String, sha256: String?, request: Request, context: APIContext) async throws -> Response {
        let size: Int
        do { size = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue ?? 0 } catch {
            throw CamindexError.runtime("cannot read \(name): \(ErrorText.of(error))", code: .fileUnreadable, value: name)
        }
        var headers: HTTPFields = [
            .contentType: contentType(name),
            .acceptRanges: "bytes",
            .contentDisposition: "attachment; filename*=UTF-8''\(name.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "clip")",
            // Evidence files are immutable once written; caching is still left to the client's choice.
            .cacheControl: "private, no-cache",
        ]
        if let sha256 { headers[.eTag] = "\"\(sha256)\"" }
        // The extraction record is a page to print: shown in the browser, with its own inline
        // style and nothing else allowed (it has no script and fetches nothing).
        if name.hasSuffix(".html") {
            headers[.contentDisposition] = "inline; filename*=UTF-8''\(name.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "record")"
            headers[.contentSecurityPolicy] = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
        }
        var range: ClosedRange<Int>?
        if let header = request.headers[.range], ifRangeHolds(request, sha256: sha256) {
            range = try parse(header, size: size)
        }
        let io = FileIO()
        if let range {
            headers[.contentRange] = "bytes \(range.lowerBound)-\(range.upperBound)/\(size)"
            headers[.contentLength] = "\(range.count)"
            return Response(status: .partialContent, headers: headers, body: try await io.loadFile(path: path, range: range, context: context))
        }
        headers[.contentLength] = "\(size)"
        return Response(status: .ok, headers: headers, body: try await io.loadFile(path: path, context: context))
    }

    /// Without `If-Range`, or with the ETag of this very file, a range is served; otherwise the whole.
    static func ifRangeHolds(_ request: Request, sha256: String?) -> Bool {
        guard let condition = request.headers[.ifRange] else { return true }
        return sha256.map { condition == "\"\($0)\"" } ?? false
    }

    /// One range of `bytes`; several ranges at once are not served (the whole file is asked for instead).
    static func parse(_ header: String, size: Int) throws -> ClosedRange<Int>? {
        guard header.hasPrefix("bytes="), !header.contains(",") else { return nil }
        let spec = header.dropFirst("bytes=".count).trimmingCharacters(in: .whitespaces)
        let parts = spec.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.count == 2 else { return nil }
        let unsatisfiable = CamindexError.usage("Range \(Names.printable(header)) is outside the file's \(size) bytes", code: .rangeUnsatisfiable, value: header)
        if parts[0].isEmpty {
            guard let suffix = Int(parts[1]), suffix > 0, size > 0 else { throw unsatisfiable }
            return max(0, size - suffix)...(size - 1)
        }
        guard let start = Int(parts[0]), start >= 0 else { return nil }
        guard start < size else { throw unsatisfiable }
        if parts[1].isEmpty { return start...(size - 1) }
        guard let end = Int(parts[1]), end >= start else { return nil }
        return start...min(end, size - 1)
    }

    static func contentType(_ name: String) -> String {
        if name.hasSuffix(".mp4") { return "video/mp4" }
        if name.hasSuffix(".json") || name.hasSuffix(".json.sig") { return "application/json; charset=utf-8" }
        if name.hasSuffix(".html") { return "text/html; charset=utf-8" }
        if name.hasSuffix(".txt") { return "text/plain; charset=utf-8" }
        return "application/octet-stream"
    }
}
