import Testing
@testable import GatewayAPI

/// A client sends a DNS name as SNI, never an address (RFC 6066 §3).
@Suite struct ServerNameTests {
    @Test(arguments: [
        ("shop.example.com", "shop.example.com"),
        ("Shop.Example.COM:8443", "shop.example.com"),
        ("shop.example.com.", "shop.example.com"),
        ("shop.example.com.:443", "shop.example.com"),
    ])
    func aHostnameLosesItsPortAndTrailingDot(authority: String, expected: String) {
        #expect(ServerName.forAuthority(authority) == expected)
    }

    @Test(arguments: ["10.0.0.1", "10.0.0.1:8443", "[::1]", "[2001:db8::1]:443", "", ":443"])
    func anAddressOrNothingGivesNoServerName(authority: String) {
        #expect(ServerName.forAuthority(authority) == nil)
    }
}
