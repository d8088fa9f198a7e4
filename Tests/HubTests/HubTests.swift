import Testing
@testable import Hub
@Test func placeholder() { #expect(1 + 1 == 2) }
