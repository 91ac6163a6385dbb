import CamindexTestSupport
import Crypto
import Foundation
import Testing

/// The page at `/` in a real headless Chromium over WebDriver, against `camindex serve` on a
/// store with footage made by ffmpeg: what it draws is compared with the CLI's answers.
/// Screenshots of each page are kept under `artifacts/screenshots/`.
@Suite(.serialized) struct BrowserTests {
    let dir = TempDir("browser")
    var db: String { dir.file("store.sqlite") }
    static let cam1 = "62072300001320000001", cam2 = "62072300001320000002", cam3 = "62072300001320000003"
    static let cam4 = "62072300001320000004", cam5 = "62072300001320000005"
    static let xss = "<img src=x onerror=alert(1)>"
    static let from = "2026-11-20T08:00:00+08:00", to = "2026-11-20T08:01:00+08:00"
    static let shots = CLI.packageRoot + "/artifacts/screenshots"

    @discardableResult
    func ci(_ args: [String], status: Int32? = 0, sourceLocation: SourceLocation = #_sourceLocation) throws -> CLI.Result {
        try CLI.expecting(args, db: db, status: status, sourceLocation: sourceLocation)
    }

    /// 临泽县 with 沙河镇 (cameras 1, 2, 4 and the camera named as HTML, 5) and 蓼泉镇 (camera 3).
    /// Camera 1 has footage 08:00:00–08:00:30 and 08:00:40–08:00:50, camera 3 08:00:00–08:00:20,
    /// on 2026-11-20; camera 4 stands 1.3 km east of the others.
    func seed() throws {
        try ci(["region", "add", "620723", "临泽县"])
        try ci(["region", "add", "620723100", "沙河镇"])
        try ci(["region", "add", "620723101", "蓼泉镇"])
        for name in ["20261120_080000", "20261120_080010", "20261120_080020", "20261120_080040"] {
            try Footage.make(dir.file("rec/1/\(name).mp4"), .init(seconds: 10, fps: 25, gop: 25))
        }
        for name in ["20261120_080000", "20261120_080010"] {
            try Footage.make(dir.file("rec/3/\(name).mp4"), .init(seconds: 10, fps: 25, gop: 25))
        }
        try ci(["camera", "add", Self.cam1, "--name", "东门", "--region", "沙河镇", "--recordings", dir.file("rec/1"),
                "--url", "rtsp://admin:hunter2@10.0.0.1/ch1", "--lat", "39.1412", "--lon", "100.1646"])
        try ci(["camera", "add", Self.cam2, "--name", "西门", "--region", "沙河镇", "--lat", "39.1420", "--lon", "100.1650"])
        try ci(["camera", "add", Self.cam3, "--name", "蓼泉路口", "--region", "蓼泉镇", "--recordings", dir.file("rec/3"),
                "--lat", "39.1415", "--lon", "100.1648"])
        try ci(["camera", "add", Self.cam4, "--name", "东郊", "--region", "沙河镇", "--lat", "39.1412", "--lon", "100.1796"])
        try ci(["camera", "add", Self.cam5, "--name", Self.xss, "--region", "沙河镇", "--lat", "39.1409", "--lon", "100.1640"])
        try ci(["index", "--settle", "0"])
    }

    func user(_ name: String, role: String, regions: [String] = [], password: String = "a-long-password") throws {
        let file = dir.file("\(name).pw")
        try (password + "\n").write(toFile: file, atomically: true, encoding: .utf8)
        try ci(["user", "add", name, "--role", role, "--password-file", file] + regions.flatMap { ["--region", $0] })
    }

    func browser() throws -> Browser { try Browser(logDir: dir.path, downloads: dir.file("downloads")) }

    /// Signs in through the form and waits for the page that follows.
    func signIn(_ browser: Browser, _ api: ServedAPI, user: String, path: String = "/", password: String = "a-long-password") throws {
        try browser.go(api.base + path)
        try browser.wait(for: "return !!document.querySelector('#signin-user')", what: "the sign-in form")
        try browser.type("#signin-user", user)
        try browser.type("#signin-password", password)
        try browser.click("#signin-submit")
        try browser.wait(for: "return !!document.querySelector('#who-name')", what: "the signed-in page")
    }

    static let rangeQuery = "from=\(ServedAPI.q(from))&to=\(ServedAPI.q(to))"

    /// Each drawn band: its camera, its holes and windows as the DOM's data attributes say.
    static let bands = """
        return Array.from(document.querySelectorAll('#timeline .tl-row')).map(r => ({
          id: r.dataset.camera,
          gaps: Array.from(r.querySelectorAll('.seg.gap')).map(g => g.dataset.start + '/' + g.dataset.end),
          windows: Array.from(r.querySelectorAll('.seg.rec, .seg.unv')).map(w => w.dataset.start + '/' + w.dataset.end)
        }))
        """

    func spans(_ list: Any?) -> [String] {
        ((list as? [[String: Any]]) ?? []).map { "\($0["start"]!)/\($0["end"]!)" }
    }

    @Test func signInPickATownshipAndTheBandsHolesAreWhereTheAPISays() throws {
        try seed()
        try user("zhang", role: "police")
        let api = try ServedAPI(db: db, logDir: dir.path)
        defer { api.stop() }
        let browser = try browser()
        defer { browser.quit() }

        // The browser prefers Chinese: the page speaks it; ?lang=en switches.
        try browser.go(api.base + "/")
        try browser.wait(for: "return !!document.querySelector('#signin-submit')", what: "the sign-in form")
        #expect(try browser.run("return document.querySelector('#signin-submit').textContent") as? String == "登录")
        try browser.screenshot(to: Self.shots + "/signin.png")
        try browser.go(api.base + "/?lang=en")
        try browser.wait(for: "return document.querySelector('#signin-submit') && document.querySelector('#signin-submit').textContent === 'Sign in'", what: "English")
        // A wrong password says so and signs nobody in.
        try browser.type("#signin-user", "zhang")
        try browser.type("#signin-password", "not-the-password")
        try browser.click("#signin-submit")
        let refused = try browser.wait(for: "const e = document.querySelector('.signin .error'); return e && !e.hidden && e.textContent", what: "the refusal") as? String
        #expect(refused?.hasPrefix("Sign-in failed") == true, "\(refused ?? "")")

        try signIn(browser, api, user: "zhang", path: "/?\(Self.rangeQuery)")
        #expect(try browser.run("return [document.querySelector('#who-name').textContent, document.querySelector('#who-role').textContent, document.querySelector('#who-scope').textContent]") as? [String]
                == ["zhang", "民警", "全部"])
        // The tree counts the cameras: the county 5, 沙河镇 4.
        #expect(try browser.run("return document.querySelector('[data-region=\"620723\"]').dataset.cameras") as? String == "5")
        try browser.click("[data-region=\"620723100\"]")
        try browser.wait(for: "return location.search.includes('region=620723100') && document.querySelector('#timeline').dataset.ready === '1'", what: "沙河镇's timeline")
        let drawn = try #require(try browser.run(Self.bands) as? [[String: Any]])
        let cli = try #require(try CLI.json(try ci(["query", "--region", "沙河镇", "--from", Self.from, "--to", Self.to, "--format", "json"]).stdout) as? [String: Any])
        let expected = try #require(cli["cameras"] as? [[String: Any]])
        #expect(Set(drawn.map { $0["id"] as! String }) == Set(expected.map { $0["id"] as! String }))
        #expect(drawn.count == 4)
        for camera in expected {
            let id = camera["id"] as! String
            let band = try #require(drawn.first { $0["id"] as? String == id })
            #expect(band["gaps"] as? [String] == spans(camera["gaps"]), "\(id)")
            #expect(band["windows"] as? [String] == spans(camera["windows"]), "\(id)")
        }
        // Camera 1 is first (most coverage) and its holes are exactly these.
        #expect(drawn.first?["id"] as? String == Self.cam1)
        #expect(drawn.first?["gaps"] as? [String] == ["2026-11-20T08:00:30+08:00/2026-11-20T08:00:40+08:00", "2026-11-20T08:00:50+08:00/2026-11-20T08:01:00+08:00"])
        // A hole's length on hover.
        #expect(try browser.run("return document.querySelector('[data-camera=\"\(Self.cam1)\"] .seg.gap').title") as? String
                == "缺失 10秒（2026-11-20 08:00:30 +08:00 至 2026-11-20 08:00:40 +08:00）")
        try browser.screenshot(to: Self.shots + "/overview.png")

        // The state is in the URL: opened afresh, the link shows the same selection. A minute is
        // as far as it zooms in; zooming out doubles the range around its middle.
        let link = try browser.url
        try browser.go(link)
        try browser.wait(for: "return document.querySelector('#timeline') && document.querySelector('#timeline').dataset.ready === '1'", what: "the bookmarked view")
        #expect(try browser.run("return document.querySelector('#selection-title').textContent") as? String == "区域: 临泽县 / 沙河镇")
        #expect(try browser.run("return document.querySelector('#zoom-in').disabled") as? Bool == true)
        try browser.click("#zoom-out")
        try browser.wait(for: "return location.search.includes('07%3A59%3A30') && document.querySelector('#timeline').dataset.ready === '1'", what: "the zoomed range")
        #expect(try browser.run("return document.querySelector('#tl-range').dataset.from + ' ' + document.querySelector('#tl-range').dataset.to") as? String
                == "2026-11-20T07:59:30+08:00 2026-11-20T08:01:30+08:00")
        #expect(try browser.consoleLog().filter { $0.hasPrefix("SEVERE") && !$0.contains("/api/v1/session") }.isEmpty)
    }

    @Test func aCircleOnTheMapSelectsWhatQueryNearSelects() throws {
        try seed()
        try user("zhang", role: "police")
        let api = try ServedAPI(db: db, logDir: dir.path)
        defer { api.stop() }
        let browser = try browser()
        defer { browser.quit() }
        try signIn(browser, api, user: "zhang", path: "/?region=620723&\(Self.rangeQuery)")
        try browser.wait(for: "return window.camindexMap && document.querySelector('#timeline').dataset.ready === '1'", what: "the map")
        try browser.click("#circle-mode")
        // A circle of about 190 m about a point between the cameras, away from their markers.
        let point = "const r = document.querySelector('#map').getBoundingClientRect(); const p = camindexMap.latLngToContainerPoint(arguments[0]); return [r.left + p.x, r.top + p.y]"
        let a = try #require(try browser.run(point, [[39.1405, 100.1655]]) as? [Double])
        let b = try #require(try browser.run(point, [[39.1412, 100.1675]]) as? [Double])
        try browser.drag(from: (a[0], a[1]), to: (b[0], b[1]))
        try browser.wait(for: "return location.search.includes('near=') && document.querySelector('#timeline').dataset.ready === '1'", what: "the circle's cameras")
        let near = try #require(try browser.run("return [new URLSearchParams(location.search).get('near'), new URLSearchParams(location.search).get('radius')]") as? [String])
        let drawn = Set(try #require(try browser.run(Self.bands) as? [[String: Any]]).map { $0["id"] as! String })
        let cli = try #require(try CLI.json(try ci(["query", "--near", near[0], "--radius", near[1], "--from", Self.from, "--to", Self.to, "--format", "json"]).stdout) as? [String: Any])
        let expected = Set(try #require(cli["cameras"] as? [[String: Any]]).map { $0["id"] as! String })
        #expect(drawn == expected, "near \(near)")
        // The circle took the four cameras about camera 1 and left camera 4, 1.3 km east.
        #expect(expected == [Self.cam1, Self.cam2, Self.cam3, Self.cam5], "near \(near)")
        #expect(try browser.run("return document.querySelector('#selection-title').textContent") as? String == "附近: 圆心 \(near[0])，半径 \(near[1]) 米")
    }

    @Test func anExportFromThePageDownloadsAClipWhoseHashIsItsManifests() throws {
        try seed()
        try user("zhang", role: "police")
        let api = try ServedAPI(db: db, arguments: ["--require-reason"], logDir: dir.path)
        defer { api.stop() }
        let browser = try browser()
        defer { browser.quit() }
        try signIn(browser, api, user: "zhang", path: "/?view=export&camera=\(Self.cam1)&\(Self.rangeQuery)")
        try browser.wait(for: "return !!document.querySelector('#export-dry-run')", what: "the export form")
        // The county requires a reason: without one the dry run is refused by name.
        try browser.click("#export-dry-run")
        let refusal = try browser.wait(for: "const e = document.querySelector('#export-plan .error'); return e && e.dataset.code", what: "the refusal") as? String
        #expect(refusal == "audit.reason_required")
        try browser.type("#export-reason", "案件 2026-118 <b>调取</b>")
        try browser.click("#export-dry-run")
        try browser.wait(for: "return !!document.querySelector('#export-plan-table')", what: "the dry run")
        // Two parts, 08:00:00–08:00:30 and 08:00:40–08:00:50, and the holes between and after them.
        #expect(try browser.run("const r = document.querySelector('#export-plan-table tr[data-camera]'); return [r.dataset.parts, r.dataset.holes]") as? [String] == ["2", "2"])
        try browser.screenshot(to: Self.shots + "/export-dry-run.png")
        try browser.click("#export-start")
        try browser.wait(for: "const s = document.querySelector('#export-state'); return s && (s.dataset.state === 'done' || s.dataset.state === 'failed') && s.dataset.state", timeout: 120, what: "the export")
        #expect(try browser.run("return document.querySelector('#export-state').dataset.state") as? String == "done")
        let files = try #require(try browser.run("return Array.from(document.querySelectorAll('#export-file-list tr[data-file]')).map(r => r.dataset.file)") as? [String])
        let clip = try #require(files.first { $0.hasSuffix(".mp4") }, "\(files)")
        #expect(files.contains("manifest.json"))
        try browser.screenshot(to: Self.shots + "/export-done.png")
        // Downloaded as a browser does, by its link.
        try browser.click("#export-file-list tr[data-file=\"\(clip)\"] a")
        try browser.click("#export-file-list tr[data-file=\"manifest.json\"] a")
        let downloaded = dir.file("downloads/\(clip)"), manifestFile = dir.file("downloads/manifest.json")
        let deadline = Date().addingTimeInterval(30)
        while !(FileManager.default.fileExists(atPath: downloaded) && FileManager.default.fileExists(atPath: manifestFile)) && Date() < deadline { usleep(100_000) }
        let bytes = try Data(contentsOf: URL(fileURLWithPath: downloaded))
        let manifest = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: manifestFile))) as? [String: Any])
        let listed = try #require((manifest["files"] as? [[String: Any]])?.first { $0["file"] as? String == clip })
        let hash = SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
        #expect(listed["sha256"] as? String == hash && (listed["bytes"] as? Int) == bytes.count)
        #expect(manifest["reason"] as? String == "案件 2026-118 <b>调取</b>" && manifest["user"] as? String == "zhang", "\(manifest["user"] ?? "")")
    }

    @Test func aCameraNamedAsHTMLIsShownAsTextAndRunsNothing() throws {
        try seed()
        try user("zhang", role: "police")
        let api = try ServedAPI(db: db, logDir: dir.path)
        defer { api.stop() }
        let browser = try browser()
        defer { browser.quit() }
        try signIn(browser, api, user: "zhang", path: "/?region=620723100&\(Self.rangeQuery)")
        try browser.wait(for: "return document.querySelector('#timeline').dataset.ready === '1'", what: "the timeline")
        // Hovering the map's marker shows the name in a tooltip: open every one.
        try browser.run("camindexMap.eachLayer(l => { if (l.openTooltip && l.getTooltip && l.getTooltip()) l.openTooltip(); })")
        let noImages = "return document.querySelectorAll('img[src=\"x\"], img[onerror]').length"
        #expect(try browser.run(noImages) as? Int == 0)
        #expect(try browser.alertText() == nil)
        #expect(try browser.run("return document.querySelector('[data-camera=\"\(Self.cam5)\"] .label a').textContent") as? String == Self.xss)
        try browser.click("[data-camera=\"\(Self.cam5)\"] .label a")
        try browser.wait(for: "return !!document.querySelector('#camera-detail')", what: "the camera page")
        #expect(try browser.run("return document.querySelector('#camera-detail h2').textContent") as? String == Self.xss)
        #expect(try browser.run(noImages) as? Int == 0)
        #expect(try browser.alertText() == nil)
    }

    @Test func aScopedUserSeesNoCameraOutsideItsScopeAnywhereOnThePage() throws {
        try seed()
        try user("liu", role: "police", regions: ["620723101"])
        let api = try ServedAPI(db: db, logDir: dir.path)
        defer { api.stop() }
        let browser = try browser()
        defer { browser.quit() }
        try signIn(browser, api, user: "liu", path: "/?\(Self.rangeQuery)")
        try browser.wait(for: "return document.querySelector('#timeline').dataset.ready === '1'", what: "the timeline")
        #expect(try browser.run("return document.querySelector('#who-scope').textContent") as? String == "蓼泉镇")
        let outside = [Self.cam1, Self.cam2, Self.cam4, Self.cam5, "东门", "西门", "东郊", "沙河镇", "620723100"]
        func shows() throws -> String {
            try browser.run("camindexMap && camindexMap.eachLayer(l => { if (l.openTooltip && l.getTooltip && l.getTooltip()) l.openTooltip(); }); return document.documentElement.outerHTML") as? String ?? ""
        }
        var page = try shows()
        #expect(page.contains(Self.cam3) && page.contains("蓼泉路口"))
        for text in outside { #expect(!page.contains(text), "the page shows \(text) to a user of 蓼泉镇") }
        try browser.screenshot(to: Self.shots + "/scoped.png")
        // Asked by URL, a camera outside the scope does not exist.
        try browser.go(api.base + "/?view=camera&camera=\(Self.cam1)")
        let code = try browser.wait(for: "const e = document.querySelector('#camera-error'); return e && e.dataset.code", what: "the refusal") as? String
        #expect(code == "camera.unknown")
        page = try browser.run("return document.documentElement.outerHTML") as? String ?? ""
        for text in outside.dropFirst() { #expect(!page.contains(text), "the page shows \(text) to a user of 蓼泉镇") }
        try browser.go(api.base + "/?region=620723100&\(Self.rangeQuery)")
        let error = try browser.wait(for: "const e = document.querySelector('#timeline-error'); return e && e.dataset.code", what: "the refusal") as? String
        #expect(error == "region.unknown")
    }

    @Test func everyPageDrawsAndIsKeptAsAScreenshot() throws {
        try seed()
        try user("zhang", role: "police")
        try user("wang", role: "technician")
        try user("li", role: "officer")
        try user("root", role: "admin")
        _ = try ci(["query", "--region", "沙河镇", "--from", Self.from, "--to", Self.to])
        let api = try ServedAPI(db: db, logDir: dir.path)
        defer { api.stop() }
        var browser = try browser()
        try signIn(browser, api, user: "wang", path: "/?view=camera&camera=\(Self.cam1)&\(Self.rangeQuery)")
        try browser.wait(for: "return !!document.querySelector('#camera-detail') && document.querySelector('#timeline').dataset.ready === '1'", what: "the camera page")
        // The URL's password is masked; the region path is named.
        #expect(try browser.run("return document.querySelector('#camera-url').textContent") as? String == "rtsp://admin:***@10.0.0.1/ch1")
        #expect((try browser.run("return document.querySelector('#camera-detail').textContent") as? String)?.contains("临泽县 / 沙河镇") == true)
        // Its recent files, as camera show lists them, each with where its time came from.
        let show = try #require(try CLI.json(try ci(["camera", "show", Self.cam1, "--files", "20", "--format", "json"]).stdout) as? [String: Any])
        let files = try #require(show["files"] as? [[String: Any]])
        #expect(!files.isEmpty)
        let fileRows = try #require(try browser.run("return [...document.querySelectorAll('#camera-files tr[data-path]')].map(r => [r.dataset.path, r.dataset.source])") as? [[String]])
        #expect(fileRows == files.map { [$0["path"] as? String ?? "", $0["time_source"] as? String ?? ""] })
        try browser.screenshot(to: Self.shots + "/camera.png")
        try browser.go(api.base + "/?view=health&region=620723")
        try browser.wait(for: "return !!document.querySelector('#health-checks') && !!document.querySelector('#health-online')", what: "the health page")
        let cli = try #require(try CLI.json(try ci(["health", "--region", "620723", "--format", "json"], status: nil).stdout) as? [String: Any])
        #expect(try browser.run("return document.querySelector('#health-status').textContent") as? String == cli["status"] as? String)
        try browser.screenshot(to: Self.shots + "/health.png")
        browser.quit()

        browser = try self.browser()
        defer { browser.quit() }
        try signIn(browser, api, user: "li", path: "/?view=health&region=620723")
        try browser.wait(for: "return !!document.querySelector('#report-kpis')", what: "the report")
        try browser.run("document.querySelector('#signout').click()")
        try browser.wait(for: "return !!document.querySelector('#signin-user')", what: "signed out")
        // The admin reads the trail and whether its chain holds.
        try signIn(browser, api, user: "root", path: "/?view=audit")
        try browser.wait(for: "return !!document.querySelector('#audit-rows')", what: "the audit page")
        #expect(try browser.run("return document.querySelector('#audit-verify').dataset.intact") as? String == "true")
        let rows = try #require(try browser.run("return Array.from(document.querySelectorAll('#audit-rows tr[data-id]')).map(r => r.children[3].textContent)") as? [String])
        #expect(rows.contains("query") && rows.contains("camera show"), "\(rows)")
        try browser.screenshot(to: Self.shots + "/audit.png")
    }
}
