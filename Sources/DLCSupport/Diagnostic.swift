// Diagnostics: what went wrong, where, and what to do about it.

public enum Severity: String, Sendable {
  case error, warning, note
}

/// A secondary message attached to a diagnostic, optionally pointing at its own place in the source.
public struct DiagnosticNote: Hashable, Sendable {
  public var message: String
  public var range: SourceRange?

  public init(_ message: String, at range: SourceRange? = nil) {
    self.message = message
    self.range = range
  }
}

/// One message for the user. Messages are built by typed factories next to the code that raises them.
/// Every stage throws this one type. Where the problem is: a source range when the stage knows the
/// text; the IR node it happened in (planning, code generation, running), which the driver turns
/// into that layer's call in the source before rendering; a data file (weights, inputs); or nowhere.
public struct Diagnostic: Error, Hashable, Sendable, CustomStringConvertible {
  public var severity: Severity
  public var message: String
  public var range: SourceRange?
  /// The IR node (its id) the problem is in, when the stage raising it sees nodes rather than text.
  public var node: Int?
  /// The data file (weights, inputs, outputs) the problem is in: `path: error: message`.
  public var file: String?
  /// The layer argument a shape rule blames; elaboration places the diagnostic at that argument in
  /// the call (else at the whole call).
  public var argument: String?
  public var notes: [DiagnosticNote]
  /// The source file the diagnostic's range and its notes' ranges point into, set once a stage
  /// after compiling has placed it, so the diagnostic renders on its own.
  public var source: SourceFile?
  /// Diagnostics reported together with this one (every input that is wrong, every weight a file
  /// lacks), each rendered in its own source.
  public var together: [Diagnostic] = []

  public init(
    _ severity: Severity, _ message: String, at range: SourceRange?, node: Int? = nil, notes: [DiagnosticNote] = []
  ) {
    self.severity = severity
    self.message = message
    self.range = range
    self.node = node
    self.notes = notes
  }

  /// An error in a stage after elaboration, at the IR node it happened in (or nowhere in particular).
  public static func error(_ message: String, node: Int? = nil) -> Diagnostic {
    Diagnostic(.error, message, at: nil, node: node)
  }

  /// An error about a data file's contents, with notes on what to do.
  public static func error(file: String, _ message: String, notes: [String] = []) -> Diagnostic {
    var diagnostic = Diagnostic(.error, message, at: nil, notes: notes.map { DiagnosticNote($0) })
    diagnostic.file = file
    return diagnostic
  }

  /// A dlc bug found by a check of dlc's own (the IR verifier): the problems as notes.
  public static func internalError(_ message: String, _ problems: [String]) -> Diagnostic {
    Diagnostic(.error, "internal error: " + message, at: nil, notes: problems.map { DiagnosticNote($0) })
  }

  /// As rendered without a source file: `path: error: message` and its notes.
  public var description: String { DiagnosticRenderer.render(self, in: source) }

  /// What the user sees on stderr: this diagnostic and those reported with it.
  public var rendered: String {
    ([self] + together).map { DiagnosticRenderer.render($0, in: $0.source) }.joined()
  }

  /// The diagnostics as one, reported together; nil for none.
  public static func together(_ diagnostics: [Diagnostic]) -> Diagnostic? {
    guard var first = diagnostics.first else { return nil }
    first.together += diagnostics.dropFirst()
    return first
  }

  public static func error(_ message: String, at range: SourceRange?, notes: [DiagnosticNote] = []) -> Diagnostic {
    Diagnostic(.error, message, at: range, notes: notes)
  }

  public static func warning(_ message: String, at range: SourceRange?, notes: [DiagnosticNote] = []) -> Diagnostic {
    Diagnostic(.warning, message, at: range, notes: notes)
  }

  public func adding(_ note: DiagnosticNote) -> Diagnostic {
    var copy = self
    copy.notes.append(note)
    return copy
  }
}

/// Collects the diagnostics of one compilation. Stages recover after an error and keep going,
/// so one run reports several independent mistakes; past `errorLimit` errors it stops collecting.
public final class DiagnosticEngine {
  public private(set) var diagnostics: [Diagnostic] = []
  public let errorLimit: Int
  public private(set) var suppressedErrors = 0

  /// Notes appended to every diagnostic reported meanwhile, innermost last (such as "in block 'x' called here").
  public var context: [DiagnosticNote] = []

  public init(errorLimit: Int = 20) {
    self.errorLimit = errorLimit
  }

  public var errorCount: Int { diagnostics.filter { $0.severity == .error }.count }
  public var hasErrors: Bool { errorCount > 0 || suppressedErrors > 0 }
  public var isFull: Bool { errorCount >= errorLimit }

  public func report(_ diagnostic: Diagnostic) {
    var diagnostic = diagnostic
    diagnostic.notes += context.reversed()
    if diagnostic.severity == .error && isFull {
      suppressedErrors += 1
      return
    }
    // The same mistake reached by two paths is reported once.
    if diagnostics.contains(diagnostic) { return }
    diagnostics.append(diagnostic)
  }

  public func report(_ diagnostics: [Diagnostic]) {
    diagnostics.forEach(report)
  }
}
