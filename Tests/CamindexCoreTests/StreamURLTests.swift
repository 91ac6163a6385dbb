import Testing
@testable import CamindexCore

@Suite struct StreamURLTests {
    @Test(arguments: [
        "rtsp://10.0.0.1:554/Streaming/Channels/101",
        "rtsp://admin:secret@10.0.0.1:554/cam/realmonitor?channel=1&subtype=0",
        "RTSP://cam.example/live",
        "rtsps://cam.example:322/live",
        "http://cam.example:8080/live/cam1.flv",
        "https://cam.example/hls/cam1.m3u8",
        "rtsp://cam.example",
        "rtsp://cam.example?x=1",
        "rtsp://[::1]:554/x",
        "rtsp://host:1/x",
        "rtsp://host:65535/x",
    ])
    func accepts(_ text: String) throws {
        let url = try StreamURL(text)
        #expect(url.secret == text)
    }

    @Test func redactedMasksThePassword() throws {
        let url = try StreamURL("rtsp://admin:secret@10.0.0.1:554/x")
        #expect(url.secret == "rtsp://admin:secret@10.0.0.1:554/x")
        #expect(url.redacted == "rtsp://admin:***@10.0.0.1:554/x")
        #expect(url.description == "rtsp://admin:***@10.0.0.1:554/x")
        #expect("\(url)" == "rtsp://admin:***@10.0.0.1:554/x")
        let plain = try StreamURL("rtsp://10.0.0.1/x")
        #expect(plain.redacted == "rtsp://10.0.0.1/x")
    }

    @Test func schemes() {
        #expect(StreamURL.schemes == ["rtsp", "rtsps", "http", "https"])
    }

    @Test(arguments: [
        ("ftp://x", "invalid stream URL 'ftp://x': scheme 'ftp' is not one of rtsp, rtsps, http, https"),
        ("rtmp://host/live", "invalid stream URL 'rtmp://host/live': scheme 'rtmp' is not one of rtsp, rtsps, http, https"),
        ("no-scheme", "invalid stream URL 'no-scheme': expected scheme://host/path with scheme rtsp, rtsps, http, https"),
        ("10.0.0.1:554/x", "invalid stream URL '10.0.0.1:554/x': expected scheme://host/path with scheme rtsp, rtsps, http, https"),
        ("rtsp://", "invalid stream URL 'rtsp://': no host, or whitespace in the URL"),
        ("rtsp:///x", "invalid stream URL 'rtsp:///x': no host, or whitespace in the URL"),
        ("rtsp://host/my stream", "invalid stream URL 'rtsp://host/my stream': no host, or whitespace in the URL"),
        ("rtsp://host:99999/x", "invalid stream URL 'rtsp://host:99999/x': bad port '99999'"),
        ("rtsp://host:0/x", "invalid stream URL 'rtsp://host:0/x': bad port '0'"),
        ("rtsp://host:/x", "invalid stream URL 'rtsp://host:/x': bad port ''"),
        ("rtsp://host:abc/x", "invalid stream URL 'rtsp://host:abc/x': bad port 'abc'"),
    ])
    func rejects(_ text: String, _ message: String) throws {
        let e = try expectError { try StreamURL(text) }
        #expect(e.kind == .usage)
        #expect(e.message == message)
    }

    @Test(arguments: [
        "ftp://admin:secret@10.0.0.1/x",
        "rtsp://admin:secret@10.0.0.1:99999/x",
        "rtsp://admin:secret@/x",
        "rtsp://admin:secret@host/a b",
        "rtsp://admin:secret@host:port/x",
    ])
    func errorMessagesHideThePassword(_ text: String) throws {
        let e = try expectError { try StreamURL(text) }
        #expect(e.kind == .usage)
        #expect(!e.message.contains("secret"), "\(e.message)")
        #expect(e.message.contains("admin:***@"))
    }
}

/// RFC 3986 ends the authority at '/', '?' or '#': a password holding one is refused, with a
/// hint to percent-encode it, and nothing of it in the message.
@Suite struct PasswordWithDelimiterTests {
    @Test(arguments: ["rtsp://admin:Zq7Secret/Rest@host/ch1", "rtsp://admin:Zq7?Secret@host/ch1", "rtsp://admin:Zq7#Secret@host:554/ch1",
                      "rtsp://admin:Zq7Secret/@host/ch1"])
    func refusedWithoutEchoingIt(_ url: String) throws {
        let e = try expectError { try StreamURL(url) }
        #expect(e.code == .urlInvalid && e.message.contains("percent-encoded") && e.message.contains("admin:***@host"), "\(e.message)")
        #expect(!e.message.contains("Zq7") && !e.message.contains("Secret") && !(e.value ?? "").contains("Zq7"), "\(e.message)")
    }

    @Test(arguments: ["rtsp://admin:Zq7Secret%2FRest@host/ch1", "rtsp://host:554/live@main", "rtsp://admin@host/a/b@c", "http://host/hls/a@b.m3u8?x=1"])
    func accepted(_ url: String) throws {
        #expect(try StreamURL(url).secret == url)
    }
}

@Suite struct MalformedURLRedactionTests {
    @Test(arguments: ["rtsp://admin:my secret@host/x", "rtsp://admin:pa/ss@host/x", "rtsp://admin:p@ss word@host/x"])
    func errorsNeverShowThePassword(_ url: String) throws {
        do {
            _ = try StreamURL(url)
            Issue.record("accepted \(url)")
        } catch {
            #expect(error.message.contains("admin:***@host"))
            #expect(!error.message.contains("secret") && !error.message.contains("ss"))
        }
    }
}
