import Testing
@testable import Hub

@Suite struct HelpTextTests {
    @Test func listsEveryOptionWithItsDefault() {
        let help = ConfigOptions.helpText
        let defaults = HubConfig()
        for option in ConfigOptions.all {
            let line = help.split(separator: "\n").first { $0.contains(" \(option.flag)") }
            #expect(line != nil, "flag \(option.flag) missing")
            #expect(line?.contains(option.environmentName) == true, "\(option.environmentName) missing")
            #expect(line?.contains(option.key) == true, "key \(option.key) missing")
            #expect(help.contains("(default: \(option.render(defaults)))"), "default of \(option.key) missing")
        }
        #expect(help.contains("--config FILE"))
        #expect(help.contains("(default: 127.0.0.1)"))
        #expect(help.contains("(default: 25)"))
        #expect(help.contains("--echo, --no-echo"))
        #expect(help.contains(HubVersion.current))
    }
}
