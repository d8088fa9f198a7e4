/// One connection as the admin views show it.
struct ConnectionInfo: Sendable {
    let client: String
    let user: String?
    let endpoint: String
    let address: String
    let ageSeconds: Int
    let bytesIn: Int
    let bytesOut: Int
    let topics: Int
}
