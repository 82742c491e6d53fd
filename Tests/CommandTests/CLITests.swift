import Foundation
import Testing

@Suite struct CLISmokeTests {
    @Test func versionRuns() throws {
        let r = try runNN(["--version"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("0.1.0"))
    }
}
