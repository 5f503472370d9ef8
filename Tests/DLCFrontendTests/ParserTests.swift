// The parser: the AST of each grammar form, and recovery after errors.
import DLCFrontend
import DLCSupport
import XCTest

final class ParserTests: XCTestCase {
  func parse(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> ModelFile? {
    let engine = DiagnosticEngine()
    let model = Parser.parse(SourceFile(path: "t.dl", text: text), diagnostics: engine)
    XCTAssertEqual(engine.diagnostics.map(\.message), [], file: file, line: line)
    return model
  }

  func testWholeGrammar() throws {
    let model = try XCTUnwrap(
      parse(
        """
        model demo
        block residual(x, filters, strides=1) {
          h = x -> Conv2D(filters, 3, strides=strides)
          return (h, x) -> Add()
        }
        input image: [32, 32, 3]
        input tokens: i32[10]
        y, state = tokens -> Embedding(10, 4) -> GRU(4, return_state=true)
        z = image -> residual(3, strides=(2, 2))
          -> Bidirectional(LSTM(10, activation=tanh), merge_mode=none)
        output z, y -> Dense(2, axes=[1, -1], rate=1e-3, flag=false)
        """))
    XCTAssertEqual(model.name.name, "demo")
    XCTAssertEqual(model.items.count, 6)

    guard case .block(let block) = model.items[0] else { return XCTFail("expected a block") }
    XCTAssertEqual(block.parameters.map(\.name.name), ["x", "filters", "strides"])
    XCTAssertNotNil(block.parameters[2].defaultValue)
    XCTAssertEqual(block.body.count, 1)
    XCTAssertEqual(block.returns.first?.sources.map(\.name), ["h", "x"])

    guard case .input(let tokens) = model.items[2] else { return XCTFail("expected an input") }
    XCTAssertEqual(tokens.elementType, .i32)
    XCTAssertEqual(tokens.dimensions.map(\.value), [10])

    guard case .assign(let multi) = model.items[3] else { return XCTFail("expected an assignment") }
    XCTAssertEqual(multi.targets.map(\.name), ["y", "state"])
    XCTAssertEqual(multi.pipeline.calls.map(\.callee.name), ["Embedding", "GRU"])

    guard case .assign(let continued) = model.items[4] else { return XCTFail("expected an assignment") }
    XCTAssertEqual(continued.pipeline.calls.map(\.callee.name), ["residual", "Bidirectional"])
    guard case .call(let wrapped) = continued.pipeline.calls[1].arguments[0].value.kind else {
      return XCTFail("expected a wrapped layer")
    }
    XCTAssertEqual(wrapped.callee.name, "LSTM")
    guard case .identifier("tanh") = wrapped.arguments[1].value.kind else { return XCTFail("expected a symbol") }

    guard case .output(let output) = model.items[5] else { return XCTFail("expected an output") }
    XCTAssertEqual(output.pipelines.count, 2)
    let arguments = output.pipelines[1].calls[0].arguments
    XCTAssertEqual(arguments.map { $0.label?.name }, [nil, "axes", "rate", "flag"])
    guard case .list(let axes) = arguments[1].value.kind, case .integer(-1) = axes[1].kind else {
      return XCTFail("expected a list with a negative number")
    }
  }

  func testDimensionsOfAnySize() throws {
    let model = try XCTUnwrap(parse("model m\ninput tokens: i32[none]\ninput image: [None, None, 3]\noutput tokens\n"))
    guard case .input(let tokens) = model.items[0], case .input(let image) = model.items[1] else {
      return XCTFail("expected two inputs")
    }
    XCTAssertEqual(tokens.dimensions.map(\.value), [nil])
    XCTAssertEqual(image.dimensions.map(\.value), [nil, nil, 3])
  }

  func testPythonSpellingsOfConstants() throws {
    let model = try XCTUnwrap(
      parse("model m\ninput x: [2]\noutput x -> Dense(2, use_bias=False, activation=None, a=True)\n"))
    guard case .output(let output) = model.items[1] else { return XCTFail("expected an output") }
    let kinds = output.pipelines[0].calls[0].arguments.map(\.value.kind)
    guard case .boolean(false) = kinds[1], case .none = kinds[2], case .boolean(true) = kinds[3] else {
      return XCTFail("False, None and True should read as Python's constants, got \(kinds)")
    }
  }

  func testRangesCoverTheirText() throws {
    let text = "model m\ninput x: [4]\noutput x -> Dense(3, activation=\"relu\")\n"
    let file = SourceFile(path: "t.dl", text: text)
    let model = try XCTUnwrap(Parser.parse(file, diagnostics: DiagnosticEngine()))
    guard case .output(let output) = model.items[1] else { return XCTFail() }
    let call = output.pipelines[0].calls[0]
    XCTAssertEqual(file.text(of: call.range), "Dense(3, activation=\"relu\")")
    XCTAssertEqual(file.text(of: call.arguments[1].value.range), "\"relu\"")
    XCTAssertEqual(file.text(of: output.range), "output x -> Dense(3, activation=\"relu\")")
  }

  func testRecoveryReportsIndependentErrors() {
    let engine = DiagnosticEngine()
    let model = Parser.parse(
      SourceFile(path: "t.dl", text: "model m\ninput x: [4] junk\ny = = x\noutput x -> Dense(3)\n"), diagnostics: engine
    )
    XCTAssertEqual(engine.diagnostics.count, 2)
    XCTAssertEqual(model?.items.count, 1, "the good output statement after the errors still parses")
  }

  func testTheErrorCapStopsCollecting() {
    let engine = DiagnosticEngine(errorLimit: 3)
    let text = "model m\n" + String(repeating: "= \n", count: 10)
    _ = Parser.parse(SourceFile(path: "t.dl", text: text), diagnostics: engine)
    XCTAssertEqual(engine.errorCount, 3)
    XCTAssertTrue(engine.hasErrors)
  }
}
