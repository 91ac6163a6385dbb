import Testing
@testable import CamindexCore

@Suite struct RedactionTests {
    @Test(arguments: [
        ("rtsp://admin:secret@10.0.0.1:554/x", "rtsp://admin:***@10.0.0.1:554/x"),
        ("rtsp://admin:p@ss@10.0.0.1:554/x", "rtsp://admin:***@10.0.0.1:554/x"),
        ("rtsp://admin:pa:ss@10.0.0.1/x", "rtsp://admin:***@10.0.0.1/x"),
        ("rtsp://admin:secret@10.0.0.1", "rtsp://admin:***@10.0.0.1"),
        ("RTSPS://Admin:Secret@cam.example:322/live", "RTSPS://Admin:***@cam.example:322/live"),
        ("http://u:p@h:8080/live.flv", "http://u:***@h:8080/live.flv"),
        ("rtsp://:secret@10.0.0.1/x", "rtsp://:***@10.0.0.1/x"),
        ("Error opening input 'rtsp://admin:secret@10.0.0.1/x': Connection refused",
         "Error opening input 'rtsp://admin:***@10.0.0.1/x': Connection refused"),
        ("a rtsp://a:one@h1/x and rtsps://b:two@h2:322/y end", "a rtsp://a:***@h1/x and rtsps://b:***@h2:322/y end"),
        ("rtsp://h/x?user=admin&password=abc", "rtsp://h/x?user=admin&password=***"),
        ("rtsp://h/x?user=admin&password=abc&channel=1", "rtsp://h/x?user=admin&password=***&channel=1"),
        ("http://h/live?token=abc#frag", "http://h/live?token=***#frag"),
        ("http://h/live?PassWord=abc&PWD=def", "http://h/live?PassWord=***&PWD=***"),
        ("http://h/live;pwd=def", "http://h/live;pwd=***"),
        ("http://h/live?auth=x&key=y&pass=z&passwd=w", "http://h/live?auth=***&key=***&pass=***&passwd=***"),
        ("rtsp://admin:secret@h/x?password=abc", "rtsp://admin:***@h/x?password=***"),
    ])
    func redacts(_ input: String, _ expected: String) {
        #expect(Redaction.redactSecrets(input) == expected)
    }

    @Test(arguments: [
        "rtsp://admin@10.0.0.1:554/x",
        "rtsp://10.0.0.1:554/Streaming/Channels/101",
        "no URLs here",
        "mail ops@example.com about a=b",
        "http://h/x?user=admin&channel=1",
        "http://h/x?apikey=abc",
        "",
        "摄像头 62072300001320000001 离线",
    ])
    func leavesTextWithoutSecretsUnchanged(_ text: String) {
        #expect(Redaction.redactSecrets(text) == text)
    }

    @Test func outputNeverContainsTheSecret() {
        let secret = "S3cr3t!x"
        let texts = [
            "rtsp://admin:\(secret)@10.0.0.1:554/x",
            "rtsp://admin:\(secret)@10.0.0.1:554/x rtsp://admin:\(secret)@10.0.0.2/y",
            "[rtsp @ 0x55d] method DESCRIBE failed for rtsp://admin:\(secret)@cam:554/x: 401 Unauthorized",
            "http://cam/live.flv?user=admin&password=\(secret)",
            "rtsp://admin:\(secret)@\(secret)@10.0.0.1/x",
        ]
        for text in texts {
            let redacted = Redaction.redactSecrets(text)
            #expect(!redacted.contains(secret), "\(redacted)")
            #expect(redacted.contains("***"))
        }
    }

    @Test func idempotent() {
        let once = Redaction.redactSecrets("rtsp://admin:secret@10.0.0.1/x?token=t")
        #expect(once == "rtsp://admin:***@10.0.0.1/x?token=***")
        #expect(Redaction.redactSecrets(once) == once)
    }
}
