import Testing
@testable import Broadcast

@Test func apiVersionIsSet() {
    #expect(Broadcast.apiVersion >= 0)
}
