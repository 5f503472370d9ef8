// Recursive-descent parser for the .dl grammar (spec §1). Each function carries its grammar rule.
// After a syntax error it skips to the end of the statement, so independent mistakes are all reported.
import DLCSupport
import Foundation

public struct Parser {
  private var tokens: [Token]
  private var index = 0
  /// Open tuples, lists and calls around the value being parsed; bounded so recursion cannot exhaust the stack.
  private var nesting = 0
  private let diagnostics: DiagnosticEngine

  /// Parses a whole file; returns nil only when not even the `model` header could be read.
  public static func parse(_ file: SourceFile, diagnostics: DiagnosticEngine) -> ModelFile? {
    var parser = Parser(tokens: Lexer.tokenize(file, diagnostics: diagnostics), diagnostics: diagnostics)
    return parser.parseFile()
  }

  private init(tokens: [Token], diagnostics: DiagnosticEngine) {
    self.tokens = tokens
    self.diagnostics = diagnostics
  }

  private struct SyntaxError: Error {}

  // MARK: - Token helpers

  private var current: Token { tokens[min(index, tokens.count - 1)] }
  private var previousEnd: Int { index > 0 ? tokens[index - 1].range.end : 0 }

  private mutating func advance() -> Token {
    let token = current
    if index < tokens.count - 1 { index += 1 }
    return token
  }

  private func check(_ kind: TokenKind) -> Bool { current.kind == kind }

  private mutating func accept(_ kind: TokenKind) -> Token? {
    check(kind) ? advance() : nil
  }

  private mutating func expect(_ kind: TokenKind, _ context: String) throws -> Token {
    if let token = accept(kind) { return token }
    throw fail("expected \(kind) \(context), found \(current.kind)")
  }

  private mutating func expectIdentifier(_ context: String) throws -> Identifier {
    if case .identifier(let name) = current.kind {
      let token = advance()
      return Identifier(name, token.range)
    }
    if case .keyword(let keyword) = current.kind {
      throw fail("'\(keyword.rawValue)' is a reserved word and cannot be used as a name \(context)")
    }
    throw fail("expected a name \(context), found \(current.kind)")
  }

  private func fail(_ message: String, notes: [DiagnosticNote] = []) -> SyntaxError {
    // The lexer has reported this text already; a second message about it would only be noise.
    if current.kind == .invalid { return SyntaxError() }
    // "found end of file" reads best right after the last thing written, not on an empty last line.
    let range = current.kind == .endOfFile && index > 0 ? SourceRange(previousEnd, previousEnd) : current.range
    diagnostics.report(.error(message, at: range, notes: notes))
    return SyntaxError()
  }

  /// Skips to the start of the next statement (after a newline at this nesting level, or before `}`).
  private mutating func recover() {
    while true {
      switch current.kind {
      case .endOfFile, .rightBrace: return
      case .newline:
        _ = advance()
        return
      default: _ = advance()
      }
    }
  }

  private mutating func skipNewlines() {
    while accept(.newline) != nil {}
  }

  // MARK: - File and items

  // file = { NL } "model" ( IDENT | STRING ) [ "functional" ] NL { item }
  private mutating func parseFile() -> ModelFile? {
    skipNewlines()
    guard accept(.keyword(.model)) != nil else {
      let found = current.kind == .endOfFile ? "the file is empty" : "found \(current.kind)"
      diagnostics.report(
        .error(
          "expected 'model <name>' at the start of the file; \(found)", at: current.range,
          notes: [DiagnosticNote("every .dl file starts with a line such as 'model mnist_cnn'")]))
      return nil
    }
    var name = Identifier("model", current.range)
    var functional = false
    do {
      // Keras model names need not be identifiers (`mobilenetv2_1.00_96`): those are quoted.
      if case .string(let text) = current.kind, !text.isEmpty {
        name = Identifier(text, advance().range)
      } else {
        name = try expectIdentifier("after 'model'")
      }
      if case .identifier("functional") = current.kind {
        _ = advance()
        functional = true
      }
      try endOfStatement()
    } catch {
      recover()
    }
    var items: [Item] = []
    while !check(.endOfFile) && !diagnostics.isFull {
      if let item = parseItem(topLevel: true) { items.append(item) }
    }
    return ModelFile(name: name, functional: functional, items: items)
  }

  // item = block | input | assign | output | NL
  private mutating func parseItem(topLevel: Bool) -> Item? {
    do {
      switch current.kind {
      case .newline:
        _ = advance()
        return nil
      case .keyword(.block):
        return .block(try parseBlock())
      case .keyword(.input):
        let input = try parseInput()
        if !topLevel {
          diagnostics.report(
            .error(
              "'input' is not allowed inside a block", at: input.range,
              notes: [DiagnosticNote("a block receives its tensors as parameters")]))
        }
        return .input(input)
      case .keyword(.output):
        return .output(try parseOutput())
      case .keyword(.model):
        throw fail("a file holds one model; 'model' may appear only on the first line")
      case .identifier:
        if peek(1) == .equals, case .identifier = peek(2), peek(3) == .leftParen {
          let layer = try parseLayerDeclaration()
          if !topLevel {
            diagnostics.report(
              .error(
                "a shared layer is declared at the top level, not inside a block", at: layer.name.range,
                notes: [DiagnosticNote("a block creates new layers at each call; call the layer in a pipeline instead")]
              ))
          }
          return .layer(layer)
        }
        return .assign(try parseAssignment())
      case .rightBrace where topLevel:
        throw fail("unmatched '}'")
      default:
        throw fail("expected a statement ('input', 'output', 'block' or 'name = ...'), found \(current.kind)")
      }
    } catch {
      if check(.rightBrace) && topLevel { _ = advance() }
      recover()
      return nil
    }
  }

  // input = "input" IDENT ":" type NL ;  type = [ "f32" | "i32" ] "[" dim { "," dim } "]" ;  dim = INT | "none"
  private mutating func parseInput() throws -> InputDecl {
    let start = advance().range.start
    let name = try expectIdentifier("after 'input'")
    _ = try expect(.colon, "after the input name (as in 'input image: [28, 28, 1]')")
    let typeStart = current.range.start
    var elementType = ElementTypeName.f32
    if case .identifier(let word) = current.kind {
      guard let parsed = ElementTypeName(rawValue: word) else {
        throw fail("unknown element type '\(word)'; expected 'f32' or 'i32'")
      }
      elementType = parsed
      _ = advance()
    }
    _ = try expect(.leftBracket, "to start the input shape")
    var dimensions: [(Int?, SourceRange)] = []
    repeat {
      if current.kind == .keyword(.none) || current.kind == .identifier("None") {
        // A dimension of any size (Keras' None): a variable-length sequence.
        dimensions.append((nil, advance().range))
        continue
      }
      guard case .integer(let value) = current.kind else {
        throw fail(
          "expected a positive integer dimension or none, found \(current.kind)",
          notes: [DiagnosticNote("shapes leave out the batch dimension, as in Keras' Input(shape=...)")])
      }
      let token = advance()
      if value < 1 {
        diagnostics.report(.error("input dimension must be at least 1; got \(value)", at: token.range))
      }
      dimensions.append((value, token.range))
    } while accept(.comma) != nil && !check(.rightBracket)
    _ = try expect(.rightBracket, "to end the input shape")
    let typeRange = SourceRange(typeStart, previousEnd)
    try endOfStatement()
    return InputDecl(
      name: name, elementType: elementType, dimensions: dimensions, typeRange: typeRange,
      range: SourceRange(start, typeRange.end))
  }

  // assign = IDENT { "," IDENT } "=" pipeline NL
  private mutating func parseAssignment() throws -> Assignment {
    var targets = [try expectIdentifier("")]
    while accept(.comma) != nil {
      targets.append(try expectIdentifier("after ','"))
    }
    guard accept(.equals) != nil else {
      if check(.arrow) {
        throw fail(
          "a pipeline must be bound to a name or be an output",
          notes: [DiagnosticNote("write 'y = \(targets[0].name) -> ...' or 'output \(targets[0].name) -> ...'")])
      }
      throw fail(
        "expected '=' after \(targets.count > 1 ? "the names" : "'\(targets[0].name)'"), found \(current.kind)")
    }
    let pipeline = try parsePipeline()
    try endOfStatement()
    return Assignment(targets: targets, pipeline: pipeline, range: targets[0].range.union(pipeline.range))
  }

  /// The kind of the token `offset` places ahead (the end of the file beyond the last).
  private func peek(_ offset: Int) -> TokenKind {
    index + offset < tokens.count ? tokens[index + offset].kind : .endOfFile
  }

  // layer = IDENT "=" call NL
  private mutating func parseLayerDeclaration() throws -> LayerDecl {
    let name = try expectIdentifier("")
    _ = try expect(.equals, "after the layer's name")
    let call = try parseCall()
    try endOfStatement()
    return LayerDecl(name: name, call: call, range: name.range.union(call.range))
  }

  // output = "output" pipeline { "," pipeline } NL
  private mutating func parseOutput() throws -> OutputStmt {
    let start = advance().range.start
    var pipelines = [try parsePipeline()]
    while accept(.comma) != nil {
      pipelines.append(try parsePipeline())
    }
    let range = SourceRange(start, previousEnd)
    try endOfStatement()
    return OutputStmt(pipelines: pipelines, range: range)
  }

  // block = "block" IDENT "(" param { "," param } ")" "{" { item } "return" pipeline { "," pipeline } NL "}"
  private mutating func parseBlock() throws -> BlockDecl {
    let start = advance().range.start
    let name = try expectIdentifier("after 'block'")
    _ = try expect(.leftParen, "after the block name")
    var parameters: [BlockParameter] = []
    if !check(.rightParen) {
      repeat {
        let parameterName = try expectIdentifier("for a block parameter")
        var defaultValue: Value?
        if accept(.equals) != nil { defaultValue = try parseValue() }
        parameters.append(BlockParameter(name: parameterName, defaultValue: defaultValue))
      } while accept(.comma) != nil
    }
    _ = try expect(.rightParen, "to close the block's parameter list")
    if parameters.isEmpty {
      diagnostics.report(.error("block '\(name.name)' needs at least one parameter (its input tensor)", at: name.range))
    }
    skipNewlines()
    _ = try expect(.leftBrace, "to open the block body")
    var body: [Item] = []
    var returns: [Pipeline] = []
    var returnRange: SourceRange?
    while !check(.rightBrace) && !check(.endOfFile) && !diagnostics.isFull {
      if check(.keyword(.return)) {
        let returnToken = advance()
        do {
          returns = [try parsePipeline()]
          while accept(.comma) != nil { returns.append(try parsePipeline()) }
          try endOfStatement()
        } catch {
          recover()
        }
        if returnRange != nil {
          diagnostics.report(.error("block '\(name.name)' has more than one 'return'", at: returnToken.range))
        }
        returnRange = returnToken.range
        continue
      }
      if returnRange != nil, !check(.newline) {
        diagnostics.report(.error("statement after 'return' in block '\(name.name)'", at: current.range))
      }
      if let item = parseItem(topLevel: false) {
        if case .output(let output) = item {
          diagnostics.report(
            .error(
              "'output' is not allowed inside a block", at: output.range,
              notes: [DiagnosticNote("a block hands its results back with 'return'")]))
        }
        body.append(item)
      }
    }
    let close = try expect(.rightBrace, "to close block '\(name.name)' (opened here)")
    if returnRange == nil {
      diagnostics.report(
        .error(
          "block '\(name.name)' has no 'return'", at: name.range,
          notes: [DiagnosticNote("end the block with 'return <pipeline>'")]))
    }
    if !check(.endOfFile) { try endOfStatement() }
    return BlockDecl(
      name: name, parameters: parameters, body: body, returns: returns, range: SourceRange(start, close.range.end))
  }

  private mutating func endOfStatement() throws {
    if accept(.newline) != nil || check(.endOfFile) || check(.rightBrace) { return }
    throw fail("expected end of line, found \(current.kind)")
  }

  // MARK: - Pipelines and values

  // pipeline = source { "->" call } ;  source = IDENT | "(" IDENT { "," IDENT } ")"
  private mutating func parsePipeline() throws -> Pipeline {
    let start = current.range.start
    var sources: [Identifier] = []
    if let opener = accept(.leftParen) ?? accept(.leftBracket) {
      // `(a, b)`, or `[a, b]` as Keras' list of tensors.
      let closer: TokenKind = opener.kind == .leftParen ? .rightParen : .rightBracket
      repeat {
        sources.append(try expectIdentifier("in the tuple of tensors"))
      } while accept(.comma) != nil
      _ = try expect(closer, "to close the tuple of tensors")
    } else {
      if case .identifier = current.kind, tokens[index + 1].kind == .leftParen {
        throw fail(
          "a pipeline starts with a tensor name, not a layer call",
          notes: [DiagnosticNote("write 'x -> Layer(...)'")])
      }
      sources.append(try expectIdentifier("to start the pipeline"))
    }
    let sourceRange = SourceRange(start, previousEnd)
    var calls: [Call] = []
    while accept(.arrow) != nil {
      calls.append(try parseCall())
    }
    return Pipeline(sources: sources, sourceRange: sourceRange, calls: calls, range: SourceRange(start, previousEnd))
  }

  // call = IDENT "(" [ arg { "," arg } ] ")"
  private mutating func parseCall() throws -> Call {
    let callee = try expectIdentifier("after '->' (a layer or block call such as Dense(10))")
    guard accept(.leftParen) != nil else {
      throw fail(
        "expected '(' after '\(callee.name)'",
        notes: [DiagnosticNote("layers are called with parentheses, as in \(callee.name)()")])
    }
    var arguments: [Argument] = []
    if !check(.rightParen) {
      repeat {
        if check(.rightParen) { break }  // a trailing comma
        arguments.append(try parseArgument())
      } while accept(.comma) != nil
    }
    _ = try expect(.rightParen, "to close the call to '\(callee.name)'")
    return Call(callee: callee, arguments: arguments, range: SourceRange(callee.range.start, previousEnd))
  }

  // arg = [ IDENT "=" ] value
  private mutating func parseArgument() throws -> Argument {
    if case .identifier(let name) = current.kind, tokens[index + 1].kind == .equals {
      let label = Identifier(name, advance().range)
      _ = advance()
      let value = try parseValue()
      return Argument(label: label, value: value, range: label.range.union(value.range))
    }
    let value = try parseValue()
    return Argument(label: nil, value: value, range: value.range)
  }

  // value = term { ( "+" | "-" ) term } ; term = factor { ( "*" | "/" ) factor } ;
  // factor = atom [ "**" factor ]. Arithmetic is on numbers and is folded here, as Python would
  // compute it: `Rescaling(1. / 255)`, `2 ** -0.5`, `x * (1 / 6)`.
  private mutating func parseValue() throws -> Value {
    var value = try parseTerm()
    while current.kind == .plus || current.kind == .minus {
      let op = advance()
      value = try fold(value, op, try parseTerm())
    }
    return value
  }

  private mutating func parseTerm() throws -> Value {
    var value = try parseFactor()
    while current.kind == .star || current.kind == .slash || current.kind == .floorSlash {
      let op = advance()
      value = try fold(value, op, try parseFactor())
    }
    return value
  }

  private mutating func parseFactor() throws -> Value {
    let base = try parseAtom()
    guard current.kind == .power else { return base }
    let op = advance()
    return try fold(base, op, try parseFactor())
  }

  /// `left op right`: computed now on two numbers; kept as an expression when an operand is a name
  /// (a block parameter, known when the block is called); an error on anything else.
  private func fold(_ left: Value, _ op: Token, _ right: Value) throws -> Value {
    let range = SourceRange(left.range.start, right.range.end)
    guard let operation = ArithmeticOperator(op.kind) else { throw SyntaxError() }
    for operand in [left, right] {
      switch operand.kind {
      case .integer, .float, .identifier, .arithmetic: continue
      default:
        diagnostics.report(
          .error("\(op.kind) works on numbers and block parameters; got \(operand.kind.phrase)", at: operand.range))
        throw SyntaxError()
      }
    }
    guard let a = ConstantNumber(left.kind), let b = ConstantNumber(right.kind) else {
      return Value(.arithmetic(operation, left, right), range)
    }
    switch operation.apply(a, b) {
    case .success(let number): return Value(number.kind, range)
    case .failure(let problem):
      diagnostics.report(.error(problem.message, at: problem == .divisionByZero ? right.range : range))
      throw SyntaxError()
    }
  }

  // atom = INT | FLOAT | STRING | "true" | "false" | "none" | IDENT | call
  //      | "(" value { "," value } ")" | "[" value { "," value } "]"
  private mutating func parseAtom() throws -> Value {
    let token = current
    nesting += 1
    defer { nesting -= 1 }
    guard nesting <= Limits.maxNesting else {
      throw fail("nested too deeply: values may nest at most \(Limits.maxNesting) levels")
    }
    switch token.kind {
    case .integer(let value):
      _ = advance()
      return Value(.integer(value), token.range)
    case .float(let value):
      _ = advance()
      return Value(.float(value), token.range)
    case .string(let value):
      _ = advance()
      return Value(.string(value), token.range)
    case .keyword(.true):
      _ = advance()
      return Value(.boolean(true), token.range)
    case .keyword(.false):
      _ = advance()
      return Value(.boolean(false), token.range)
    case .keyword(.none):
      _ = advance()
      return Value(.none, token.range)
    case .identifier(let name) where ["True", "False", "None"].contains(name) && tokens[index + 1].kind != .leftParen:
      // Python's spellings, as a Keras user types them out of habit.
      _ = advance()
      return Value(name == "None" ? .none : .boolean(name == "True"), token.range)
    case .identifier(let name):
      if tokens[index + 1].kind == .leftParen {
        let call = try parseCall()
        return Value(.call(call), call.range)
      }
      _ = advance()
      return Value(.identifier(name), token.range)
    case .leftParen, .leftBracket:
      let isTuple = token.kind == .leftParen
      _ = advance()
      var elements: [Value] = []
      let closer: TokenKind = isTuple ? .rightParen : .rightBracket
      if !check(closer) {
        repeat {
          if check(closer) { break }
          elements.append(try parseValue())
        } while accept(.comma) != nil
      }
      _ = try expect(closer, isTuple ? "to close the tuple" : "to close the list")
      let range = SourceRange(token.range.start, previousEnd)
      // `(3)` is a parenthesized value, as in Python.
      if isTuple && elements.count == 1 { return Value(elements[0].kind, range) }
      return Value(isTuple ? .tuple(elements) : .list(elements), range)
    default:
      throw fail("expected a value, found \(token.kind)")
    }
  }
}
