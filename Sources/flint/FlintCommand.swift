import ArgumentParser

/// The `flint` command: Flint's runnable examples.
@main
struct FlintCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flint",
        abstract: "PyTorch-style tensors with define-by-run autograd, in Swift.",
        subcommands: [TutorialCommand.self, TrainCommand.self, GraphCommand.self],
        defaultSubcommand: TutorialCommand.self
    )
}

/// `flint tutorial`: PyTorch's autograd tutorial, step by step.
struct TutorialCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tutorial",
        abstract: "Walk through PyTorch's autograd tutorial in Swift, printing what PyTorch prints."
    )

    @Option(help: "Seed for the random steps (PyTorch's generator: the same seed gives the same numbers).")
    var seed: UInt64 = 0

    func run() throws {
        try Tutorial(seed: seed).run()
    }
}
