import Glibc

// hub-bench: the hub's load tool (issue 6). See `hub-bench --help`.
signal(SIGPIPE, SIG_IGN)
let arguments = Array(CommandLine.arguments.dropFirst())
let options: Options
do {
    options = try Options.parse(arguments)
} catch {
    if !error.message.isEmpty { Sys.write(2, "hub-bench: \(error.message)\n\n") }
    Sys.write(error.message.isEmpty ? 1 : 2, Options.usage + "\n")
    exit(error.message.isEmpty ? 0 : 2)
}
exit(Runner(options: options).run())
