import Testing
@testable import Hub

/// A fake file system: one config file at `hub.json`.
private func files(_ text: String, path: String = "hub.json") -> (String) throws -> [UInt8] {
    { requested in
        guard requested == path else { throw ConfigLoader.FileReadError(errno: 2) }
        return Array(text.utf8)
    }
}

private func noFiles(_ path: String) throws -> [UInt8] { throw ConfigLoader.FileReadError(errno: 2) }

private func serve(
    _ arguments: [String], environment: [String: String] = [:],
    readFile: (String) throws -> [UInt8] = noFiles
) throws -> HubConfig {
    let command = try ConfigLoader.load(arguments: arguments, environment: environment, readFile: readFile)
    guard case .serve(let config) = command else {
        Issue.record("expected .serve, got \(command)")
        return HubConfig()
    }
    return config
}

/// The message of the `ConfigError` thrown by loading these arguments, or `nil` if none is thrown.
private func message(
    _ arguments: [String], environment: [String: String] = [:],
    readFile: (String) throws -> [UInt8] = noFiles
) -> String? {
    do {
        _ = try ConfigLoader.load(arguments: arguments, environment: environment, readFile: readFile)
        return nil
    } catch {
        return error.description
    }
}

@Suite struct ConfigLoaderTests {
    @Test func defaultsWithNoArguments() throws {
        let config = try serve([])
        #expect(config == HubConfig())
        #expect(config.host == "127.0.0.1")
        #expect(config.port == 8080)
        #expect(config.dataDir == "./data")
        #expect(config.loops >= 1)
        #expect(config.logLevel == .info)
        #expect(config.echo)
        #expect(config.pingInterval == 25)
        #expect(config.maxMessageBytes == 1_048_576)
        #expect(config.echoMaxMessageBytes == 16_777_216)
        #expect(config.deflateClientMaxWindowBits == nil)
        #expect(config.subprotocols == ["hub.v1"])
    }

    @Test func precedenceDefaultFileEnvironmentFlag() throws {
        let file = files(#"{"port": 1001, "host": "10.0.0.1", "ping_interval": 3, "log_level": "debug", "loops": 3}"#)
        let environment = ["HUB_CONFIG": "hub.json", "HUB_PORT": "1002", "HUB_PING_INTERVAL": "4", "HUB_LOOPS": "5"]
        let config = try serve(["--port", "1003", "--loops=7"], environment: environment, readFile: file)
        #expect(config.port == 1003)  // flag over environment over file
        #expect(config.loops == 7)  // flag over environment over file
        #expect(config.pingInterval == 4)  // environment over file
        #expect(config.host == "10.0.0.1")  // file over default
        #expect(config.logLevel == .debug)  // file over default
        #expect(config.dataDir == "./data")  // default
    }

    @Test func configFlagWinsOverEnvironmentPath() throws {
        let readFile: (String) throws -> [UInt8] = { path in
            Array((path == "flag.json" ? #"{"port": 1}"# : #"{"port": 2}"#).utf8)
        }
        let config = try serve(["--config", "flag.json"], environment: ["HUB_CONFIG": "env.json"], readFile: readFile)
        #expect(config.port == 1)
        #expect(try serve([], environment: ["HUB_CONFIG": "env.json"], readFile: readFile).port == 2)
    }

    @Test func laterFlagWins() throws {
        #expect(try serve(["--port", "1", "--port=2"]).port == 2)
    }

    @Test func equalsFormAndServeCommand() throws {
        let config = try serve(["serve", "--host=0.0.0.0", "--data-dir=/var/lib/hub", "--idle-timeout=0.5",
                                "--subprotocols=a,b.c", "--deflate-client-max-window-bits=9"])
        #expect(config.host == "0.0.0.0")
        #expect(config.dataDir == "/var/lib/hub")
        #expect(config.idleTimeout == 0.5)
        #expect(config.subprotocols == ["a", "b.c"])
        #expect(config.deflateClientMaxWindowBits == 9)
        #expect(try serve(["--host", "::1"]).host == "::1")
        #expect(try serve(["--subprotocols="]).subprotocols == [])
    }

    @Test func booleanFlagForms() throws {
        #expect(try serve(["--no-echo"]).echo == false)
        #expect(try serve(["--no-echo", "--echo"]).echo == true)
        #expect(try serve(["--echo=off"]).echo == false)
        #expect(try serve(["--echo", "no"]).echo == false)
        #expect(try serve(["--deflate", "--port", "1"]).deflate == true)
        #expect(try serve(["--no-deflate", "--port", "1"]).port == 1)
        for word in ["true", "1", "yes", "on", "TRUE"] { #expect(try serve(["--deflate=\(word)"]).deflate) }
        for word in ["false", "0", "no", "off", "Off"] { #expect(try serve(["--deflate=\(word)"]).deflate == false) }
        #expect(try serve([], environment: ["HUB_ECHO": "0"]).echo == false)
    }

    @Test func fileValueTypes() throws {
        let file = files("""
            {
              "echo": false, "deflate": "off", "port": "9000", "subprotocols": ["x", "y"],
              "deflate_client_max_window_bits": 12, "max_message_bytes": 1e6, "close_timeout": 0.25
            }
            """)
        let config = try serve(["--config", "hub.json"], readFile: file)
        #expect(config.echo == false)
        #expect(config.deflate == false)
        #expect(config.port == 9000)
        #expect(config.subprotocols == ["x", "y"])
        #expect(config.deflateClientMaxWindowBits == 12)
        #expect(config.maxMessageBytes == 1_000_000)
        #expect(config.closeTimeout == 0.25)
    }

    @Test func commands() throws {
        #expect(try ConfigLoader.load(arguments: ["version"], environment: [:]) == .version("0.1.0"))
        #expect(try ConfigLoader.load(arguments: ["--version"], environment: [:]) == .version(HubVersion.current))
        #expect(try ConfigLoader.load(arguments: ["help"], environment: [:]) == .help(ConfigOptions.helpText))
        #expect(try ConfigLoader.load(arguments: ["-h"], environment: [:]) == .help(ConfigOptions.helpText))
        // --help wins anywhere, even after a bad value.
        #expect(try ConfigLoader.load(arguments: ["serve", "--port", "x", "--help"], environment: [:])
                == .help(ConfigOptions.helpText))
        #expect(try ConfigLoader.load(arguments: ["token", "create", "--user", "bob", "--help"], environment: [:])
                == .token(["create", "--user", "bob", "--help"]))
        #expect(try ConfigLoader.load(arguments: ["token"], environment: [:]) == .token([]))
    }

    @Test func unknownEnvironmentVariablesAreIgnored() throws {
        #expect(try serve([], environment: ["HUB_SOMETHING_ELSE": "x", "PORT": "1"]) == HubConfig())
    }

    @Test func everyOptionRoundTripsItsDefault() throws {
        for option in ConfigOptions.all {
            var config = HubConfig()
            try option.apply(&config, option.defaultRendering)
            #expect(config == HubConfig(), "\(option.key)")
            // And through a flag, with the loader.
            #expect(try serve(["\(option.flag)=\(option.defaultRendering)"]) == HubConfig(), "\(option.flag)")
        }
    }

    @Test func namesDerivedFromKeys() throws {
        let option = try #require(ConfigOptions.option(key: "ping_interval"))
        #expect(option.flag == "--ping-interval")
        #expect(option.environmentName == "HUB_PING_INTERVAL")
        #expect(Set(ConfigOptions.all.map(\.key)).count == ConfigOptions.all.count)
    }
}

@Suite struct ConfigErrorTests {
    @Test(arguments: [
        (["--port", "abc"], #"invalid value "abc" for --port (from flag): expected an integer 0...65535"#),
        (["--port=65536"], #"invalid value "65536" for --port (from flag): expected an integer 0...65535"#),
        (["--port", "-1"], #"invalid value "-1" for --port (from flag): expected an integer 0...65535"#),
        (["--loops", "0"], #"invalid value "0" for --loops (from flag): expected an integer 1...256"#),
        (["--loops", "257"], #"invalid value "257" for --loops (from flag): expected an integer 1...256"#),
        (["--ping-interval", "0"],
         #"invalid value "0" for --ping-interval (from flag): expected a number of seconds > 0 and ≤ 31536000"#),
        (["--idle-timeout", "-3"],
         #"invalid value "-3" for --idle-timeout (from flag): expected a number of seconds > 0 and ≤ 31536000"#),
        (["--drain-timeout", "inf"],
         #"invalid value "inf" for --drain-timeout (from flag): expected a number of seconds > 0 and ≤ 31536000"#),
        (["--max-message-bytes", "0"],
         #"invalid value "0" for --max-message-bytes (from flag): expected an integer 1...1099511627776 (bytes)"#),
        (["--max-headers", "1.5"],
         #"invalid value "1.5" for --max-headers (from flag): expected an integer 1...1099511627776"#),
        (["--log-level", "verbose"],
         #"invalid value "verbose" for --log-level (from flag): expected one of trace, debug, info, warning, error"#),
        (["--deflate-client-max-window-bits", "7"],
         #"invalid value "7" for --deflate-client-max-window-bits (from flag): expected an integer 8...15 or none"#),
        (["--echo=maybe"],
         #"invalid value "maybe" for --echo (from flag): expected a boolean: true/false, 1/0, yes/no or on/off"#),
        (["--host", ""], #"invalid value "" for --host (from flag): expected a host name or IP address"#),
        (["--subprotocols", "a b"],
         #"invalid value "a b" for --subprotocols (from flag): expected subprotocol names that are HTTP tokens, comma-separated"#),
        (["--prot", "1"], "unknown flag --prot (from flag) (did you mean --port?); see hub --help"),
        (["-p", "1"], "unknown flag -p (from flag); see hub --help"),
        (["--port"], "missing value for --port (from flag)"),
        (["--host", "--port", "1"], "missing value for --host (from flag)"),
        (["--no-echo=true"], "--no-echo takes no value (from flag)"),
        (["--no-port"], "unknown flag --no-port (from flag) (did you mean --port?); see hub --help"),
        (["frob"], #"unknown command "frob": expected serve, token, help or version"#),
        (["serve", "extra"],
         #"unexpected argument "extra": the command must come first (hub serve|token|help|version) and options are flags"#),
        (["--config", "missing.json"], "cannot read config file missing.json (from --config): No such file or directory"),
        (["--config="], #"invalid value "" for --config (from flag): expected a non-empty path"#),
    ] as [([String], String)])
    func flagErrors(arguments: [String], expected: String) {
        #expect(message(arguments) == expected)
    }

    @Test func environmentErrorsNameTheVariable() {
        #expect(message([], environment: ["HUB_PORT": "abc"])
                == #"invalid value "abc" for HUB_PORT (from environment): expected an integer 0...65535"#)
        #expect(message([], environment: ["HUB_ECHO": "sure"])
                == #"invalid value "sure" for HUB_ECHO (from environment): expected a boolean: true/false, 1/0, yes/no or on/off"#)
        #expect(message([], environment: ["HUB_CONFIG": "gone.json"])
                == "cannot read config file gone.json (from HUB_CONFIG): No such file or directory")
    }

    @Test func fileErrorsNameTheKeyAndFile() {
        func fileMessage(_ text: String) -> String? {
            message(["--config", "hub.json"], readFile: files(text))
        }
        #expect(fileMessage(#"{"prot": 1}"#) == #"unknown key "prot" (from config file hub.json) (did you mean port?)"#)
        #expect(fileMessage(#"{"colour": 1}"#) == #"unknown key "colour" (from config file hub.json)"#)
        #expect(fileMessage(#"{"port": 70000}"#)
                == #"invalid value "70000" for key "port" (from config file hub.json): expected an integer 0...65535"#)
        #expect(fileMessage(#"{"port": null}"#)
                == #"invalid value "null" for key "port" (from config file hub.json): expected a string, number or boolean"#)
        #expect(fileMessage(#"{"echo": [true]}"#)
                == #"invalid value "[true]" for key "echo" (from config file hub.json): expected a string, number or boolean"#)
        #expect(fileMessage(#"{"subprotocols": ["a", 1]}"#)
                == #"invalid value "[\"a\",1]" for key "subprotocols" (from config file hub.json): expected an array of strings"#)
        #expect(fileMessage(#"{"subprotocols": ["a,b"]}"#)
                == #"invalid value "a,b" for key "subprotocols" (from config file hub.json): expected subprotocol names that are HTTP tokens, comma-separated"#)
        #expect(fileMessage(#"{"port": 1, "port": 2}"#) == #"duplicate key "port" (from config file hub.json)"#)
        #expect(fileMessage("[1]") == "malformed config file hub.json at line 1, column 1: expected a JSON object of option keys")
        #expect(fileMessage("{\n  \"port\": 1,\n}")
                == "malformed config file hub.json at line 3, column 1: expected a quoted key")
        #expect(fileMessage(#"{"port": 01}"#) == "malformed config file hub.json at line 1, column 11: invalid number")
    }
}
