// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Hub",
    products: [
        .executable(name: "hub", targets: ["Hub"]),
    ],
    targets: [
        // System libraries (Debian -dev packages), one module map each.
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "COpenSSL", pkgConfig: "openssl", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        // epoll, eventfd and accept4 are not in Glibc's Swift overlay.
        .target(name: "CHubSys", cSettings: [.define("_GNU_SOURCE")]),

        .target(name: "WSProtocol", dependencies: ["CZlib"]),
        .target(name: "Broadcast"),
        .target(name: "Engines", dependencies: ["Broadcast", "COpenSSL"], exclude: ["Mirror/Data/VADER-LICENSE.txt"],
                resources: [.copy("Dream/Corpus")]),
        .executableTarget(
            name: "Hub",
            dependencies: ["WSProtocol", "Broadcast", "Engines", "CHubSys", "CSQLite", "COpenSSL"]
        ),
        .executableTarget(
            name: "hub-bench-protocol",
            dependencies: ["WSProtocol"],
            path: "Sources/HubBenchProtocol"
        ),
        .executableTarget(name: "hub-bench", dependencies: ["WSProtocol", "CHubSys"], path: "Sources/HubBench"),

        .testTarget(name: "WSProtocolTests", dependencies: ["WSProtocol"]),
        .testTarget(name: "BroadcastTests", dependencies: ["Broadcast"]),
        .testTarget(name: "HubTests", dependencies: ["Hub", "WSProtocol", "Engines", "CHubSys"]),
        .testTarget(name: "EnginesTests", dependencies: ["Engines", "Broadcast"]),
    ],
    swiftLanguageModes: [.v6]
)
