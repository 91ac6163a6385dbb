import CamindexCore
import Foundation

/// `extraction-record.html`: the export's 电子数据提取固定清单 — the reason, who extracted, when,
/// where and how, each file with its format, size and SHA-256, the manifest's own hash and the
/// key that signed it, and lines for the signatures of the investigator, the holder and the
/// witness. A page that stands alone and prints: inline CSS only, no script, nothing fetched
/// (its Content-Security-Policy says so too), every value from outside HTML-escaped. Written
/// after the manifest, whose hash it carries, so the manifest does not list it;
/// `export verify` checks that the hash it names is the manifest's.
struct ExtractionRecord {
    static let fileName = "extraction-record.html"

    var manifest: Exporter.Manifest
    /// The operator as the record names them: a user and their role, or the OS user.
    var operatorName: String
    var operatorRole: String?
    /// The server's host name and the county (the top region of the store).
    var host: String
    var county: Region?
    /// Per camera, its clock against the server's at its last full probe: seconds and when.
    var clockOffsets: [String: (seconds: Double, at: String)]
    var manifestSHA256: String
    var signature: ManifestSignature

    /// Where the record names the manifest's hash for programs (`export verify`).
    static let hashMeta = "camindex-manifest-sha256"

    /// The manifest's SHA-256 a record names; nil when it names none.
    static func manifestHash(in html: String) -> String? {
        guard let match = html.firstMatch(of: /<meta name="camindex-manifest-sha256" content="([0-9a-f]{64})">/) else { return nil }
        return String(match.output.1)
    }

    static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for ch in Names.printable(s) {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(ch)
            }
        }
        return out
    }

    /// Chinese first, English below in smaller text.
    private static func label(_ zh: String, _ en: String) -> String { "\(zh)<span class=\"en\">\(en)</span>" }

    private static func seconds(_ s: Double) -> String {
        s == s.rounded() ? String(format: "%.0f", s) : String(format: "%.3f", s)
    }

    func html() -> String {
        let e = Self.escape
        let m = manifest
        var out: [String] = []
        out.append("""
            <!DOCTYPE html>
            <html lang="zh-CN">
            <head>
            <meta charset="utf-8">
            <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
            <meta name="\(Self.hashMeta)" content="\(manifestSHA256)">
            <meta name="camindex-key-id" content="\(e(signature.key_id))">
            <title>电子数据提取固定清单 — \(e(m.reason ?? m.exported_at))</title>
            <style>
            body { font-family: "Noto Serif CJK SC", "Source Han Serif SC", "SimSun", serif; font-size: 11pt; margin: 1.5cm; color: #000; }
            h1 { font-size: 18pt; text-align: center; margin: 0 0 0.2em; }
            h1 + p { text-align: center; margin: 0 0 1em; }
            h2 { font-size: 13pt; margin: 1.2em 0 0.4em; border-bottom: 1px solid #000; }
            .en { display: block; font-size: 8pt; color: #444; font-weight: normal; }
            table { border-collapse: collapse; width: 100%; margin: 0.3em 0; }
            th, td { border: 1px solid #000; padding: 0.25em 0.4em; vertical-align: top; text-align: left; }
            th { width: 9em; background: #f2f2f2; }
            table.files th { width: auto; }
            .hash, .mono { font-family: "DejaVu Sans Mono", monospace; font-size: 8.5pt; word-break: break-all; }
            .warn { border: 2px solid #000; padding: 0.5em; font-weight: bold; }
            .signatures td { height: 3.2em; width: 50%; }
            @page { size: A4; margin: 1.5cm; }
            @media print { body { margin: 0; } .camera { break-inside: avoid; } }
            </style>
            </head>
            <body>
            <h1>电子数据提取固定清单</h1>
            <p class="en">Electronic data extraction record</p>
            """)
        if m.complete == false {
            out.append("<p class=\"warn\">本次提取未完成：仅下列文件完整。<span class=\"en\">INCOMPLETE: the export was \(e(m.interrupted ?? "stopped")); only the files listed are whole.</span></p>")
        }
        let role = operatorRole.map { "（\(e($0))）" } ?? "（操作系统用户<span class=\"en\">OS user</span>）"
        let place = e(host) + (county.map { "，\(e($0.name))（\(e($0.code))）" } ?? "")
        out.append("<table>")
        out.append("<tr><th>\(Self.label("案由", "Reason"))</th><td>\(m.reason.map(e) ?? "—")</td></tr>")
        out.append("<tr><th>\(Self.label("操作人", "Operator"))</th><td>\(e(operatorName))\(role)</td></tr>")
        out.append("<tr><th>\(Self.label("提取时间", "Time of extraction"))</th><td class=\"mono\">\(e(m.exported_at))</td></tr>")
        out.append("<tr><th>\(Self.label("提取地点", "Place"))</th><td>\(place)<span class=\"en\">server host name, county</span></td></tr>")
        out.append("<tr><th>\(Self.label("提取方法", "Method"))</th><td>camindex \(e(m.camindex_version))，流复制，未重新编码<span class=\"en\">camindex \(e(m.camindex_version)), stream copy, no re-encoding; SHA-256 of every file</span></td></tr>")
        out.append("<tr><th>\(Self.label("调取时段", "Requested"))</th><td class=\"mono\">\(e(m.requested.start)) → \(e(m.requested.end))</td></tr>")
        out.append("</table>")

        out.append("<h2>\(Self.label("提取文件清单", "Files extracted"))</h2>")
        var n = 0
        for c in m.cameras {
            out.append("<div class=\"camera\">")
            out.append("<table>")
            out.append("<tr><th>\(Self.label("摄像机", "Camera"))</th><td><span class=\"mono\">\(e(c.id))</span> \(e(c.name))</td></tr>")
            out.append("<tr><th>\(Self.label("所属区域", "Region"))</th><td>\(c.region_path.map { e($0.name) }.joined(separator: " / "))（\(e(c.region.code))）</td></tr>")
            let offset = clockOffsets[c.id].map { String(format: "%+.3f 秒", $0.seconds) + "（\(e($0.at)) 检测）<span class=\"en\">\(String(format: "%+.3f", $0.seconds)) s against the server at the probe of \(e($0.at)); positive: the camera ahead</span>" }
                ?? "未知<span class=\"en\">unknown: no probe measured it</span>"
            out.append("<tr><th>\(Self.label("摄像机时钟偏差", "Camera clock offset"))</th><td>\(offset)</td></tr>")
            if let a = c.actual { out.append("<tr><th>\(Self.label("覆盖时段", "Covered"))</th><td class=\"mono\">\(e(a.start)) → \(e(a.end))</td></tr>") }
            let holes = c.holes.map { h in
                "<span class=\"mono\">\(e(h.start)) → \(e(h.end))</span>（\(Self.seconds(h.seconds)) 秒" + (h.cause.map { "，未能导出：\(e($0))" } ?? "，无录像") + "）"
            }
            out.append("<tr><th>\(Self.label("缺失时段", "Holes"))</th><td>\(holes.isEmpty ? "无<span class=\"en\">none</span>" : holes.joined(separator: "<br>"))</td></tr>")
            if let error = c.error { out.append("<tr><th>\(Self.label("未导出", "Not exported"))</th><td>\(e(error))</td></tr>") }
            out.append("</table>")
            if !c.clips.isEmpty {
                out.append("<table class=\"files\"><tr><th>#</th><th>\(Self.label("文件名", "File"))</th><th>\(Self.label("时段", "Time covered"))</th><th>\(Self.label("格式", "Format"))</th><th>\(Self.label("大小（字节）", "Size, bytes"))</th><th>\(Self.label("SHA-256 校验值", "SHA-256"))</th></tr>")
                for clip in c.clips {
                    n += 1
                    out.append("<tr><td>\(n)</td><td class=\"mono\">\(e(clip.file))</td><td class=\"mono\">\(e(clip.starts_at)) → \(e(clip.ends_at))</td>"
                        + "<td>MP4（\(e(clip.codec))，\(clip.width)×\(clip.height)）</td><td>\(clip.bytes)</td><td class=\"hash\">\(e(clip.sha256 ?? "—"))</td></tr>")
                }
                out.append("</table>")
            }
            out.append("</div>")
        }

        out.append("<h2>\(Self.label("完整性校验", "Integrity"))</h2>")
        out.append("<table>")
        out.append("<tr><th>\(Self.label("清单文件", "Manifest"))</th><td class=\"mono\">\(Exporter.manifestName)（\(m.files.count) 个文件<span class=\"en\">\(m.files.count) file\(m.files.count == 1 ? "" : "s") listed</span>）</td></tr>")
        out.append("<tr><th>\(Self.label("清单 SHA-256", "Manifest SHA-256"))</th><td class=\"hash\">\(manifestSHA256)</td></tr>")
        out.append("<tr><th>\(Self.label("签名", "Signature"))</th><td>\(e(signature.algorithm))，\(Exporter.signatureName)<span class=\"en\">detached signature over the bytes of \(Exporter.manifestName)</span></td></tr>")
        out.append("<tr><th>\(Self.label("签名密钥标识", "Key ID"))</th><td class=\"hash\">\(e(signature.key_id))</td></tr>")
        out.append("<tr><th>\(Self.label("签名公钥", "Public key"))</th><td class=\"hash\">\(e(signature.public_key))</td></tr>")
        out.append("</table>")
        out.append("<p class=\"en\">Check with: camindex export verify DIR --public-key KEY (the county's key obtained separately).</p>")

        out.append("<h2>\(Self.label("签名", "Signatures"))</h2>")
        out.append("<table class=\"signatures\">")
        for (zh, en) in [("提取人", "Investigator"), ("持有人", "Holder"), ("见证人", "Witness")] {
            out.append("<tr><td>\(Self.label(zh + "（签名）：", en + " (signature)"))</td><td>\(Self.label("日期：", "Date"))</td></tr>")
        }
        out.append("</table>")
        out.append("</body>\n</html>\n")
        return out.joined(separator: "\n")
    }

    /// The server's host name.
    static func hostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return ProcessInfo.processInfo.hostName }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
