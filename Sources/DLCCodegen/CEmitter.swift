// A graph and its weights to C99: <model>.h (the API and the arena size), <model>.c (the runtime
// sections it uses and one forward function, a commented block per layer), and the weights as a
// C array (<model>_weights.c) or a binary blob. No allocation, no mutable globals, no stdio.
import DLCData
import DLCIR
import DLCLayers
import DLCPlanning
import DLCSupport
import Foundation

public struct CodegenOptions: Sendable {
  public enum WeightsMode: String, Sendable, CaseIterable {
    /// Weights compiled into the program as a const array in C (<model>_weights.c).
    case embedded
    /// Weights in <model>_weights.bin, passed to the entry points at run time.
    case external
    /// Weights in <model>_weights.bin, linked into the program by <model>_weights.S (an assembler
    /// `.incbin`): built like embedded weights, but written and compiled in seconds at any size.
    case blob

    /// Embedded weights are decimal C text, about 3.4× their size to write and slow to compile;
    /// above this many bytes the default is a blob.
    public static let embeddedLimit = 16 << 20

    /// The default for `bytes` of weights: C text for small models, a blob for large ones.
    public static func automatic(weightBytes bytes: Int) -> WeightsMode { bytes > embeddedLimit ? .blob : .embedded }
  }

  public var maxBatch: Int
  public var weightsMode: WeightsMode
  /// The arena bytes a pass through the layers may use: a larger batch goes through them in
  /// chunks of as many examples as fit (see `examplesPerPass`).
  public var passBytes: Int

  /// Twice a Zen 4 core's L2, as large as a Sapphire Rapids core's: at batch 32, resnet8_cifar,
  /// transformer_text and text_cnn ran 5–20 % faster in chunks that fit it (of 4 to 8 examples)
  /// than in one pass, which streamed each layer's several MB through the shared cache; models
  /// whose arena is small at any batch (Dense stacks, where the batch is what reuses the weights)
  /// keep one pass. Measured with `dlc compile --batch` 1 to 32 on one core.
  public static let defaultPassBytes = 2 << 20

  public init(maxBatch: Int = 1, weightsMode: WeightsMode = .embedded, passBytes: Int = defaultPassBytes) {
    self.maxBatch = maxBatch
    self.weightsMode = weightsMode
    self.passBytes = passBytes
  }

  /// Examples per pass through the layers for a plan of `arenaBytes` at `maxBatch`: the largest
  /// power of two whose share of the arena is within `passBytes`, at least one, at most `maxBatch`.
  public func examplesPerPass(arenaBytes: Int) -> Int {
    let perExample = max(arenaBytes / max(maxBatch, 1), 1)
    var examples = 1
    while examples * 2 <= maxBatch, examples * 2 * perExample <= passBytes { examples *= 2 }
    return examples
  }
}

/// The generated files, by name, and the arena plan behind them.
public struct GeneratedC {
  public var prefix: String
  public var header: String
  public var source: String
  /// `<model>_weights.c` (embedded) or `<model>_weights.S` (blob) — nil for external weights.
  public var weightsSource: String?
  /// The packed weights as little-endian floats (always; the external mode's `.bin`).
  public var weightsBlob: [UInt8]
  /// `<model>_main.c`: a standalone program reading and writing .npy files.
  public var main: String
  public var plan: MemoryPlan
  public var options: CodegenOptions

  public var files: [(name: String, bytes: [UInt8])] {
    var files = [("\(prefix).h", Array(header.utf8)), ("\(prefix).c", Array(source.utf8))]
    switch options.weightsMode {
    case .embedded: files.append(("\(prefix)_weights.c", Array((weightsSource ?? "").utf8)))
    case .external: files.append(("\(prefix)_weights.bin", weightsBlob))
    case .blob:
      files += [("\(prefix)_weights.S", Array((weightsSource ?? "").utf8)), ("\(prefix)_weights.bin", weightsBlob)]
    }
    return files
  }
}

public enum CCodegen {
  /// The arena plan the generated code uses for calls of up to `maxBatch` examples (no weights needed).
  public static func memoryPlan(_ graph: Graph, maxBatch: Int = 1) throws -> MemoryPlan {
    try checkCLimits(graph, maxBatch: maxBatch)
    return try MemoryPlan(graph, maxBatch: maxBatch)
  }

  /// The runtime counts a tensor's elements, and a weight's, with `int`; checked before any size
  /// is computed from them, so the kernels' own size arithmetic stays within 64 bits.
  static func checkCLimits(_ graph: Graph, maxBatch: Int) throws {
    for node in graph.nodes {
      for (index, type) in node.outputs.enumerated() {
        guard let count = Checked.product(maxBatch, type.elementCount), count <= Limits.maxCElements else {
          throw Diagnostic.error(
            "too large: \(graph.name(of: ValueRef(node: node.id, output: index))) (\(node.op)) has more than "
              + "\(Limits.describe(Limits.maxCElements)) elements for \(Limits.describe(maxBatch)) "
              + "example\(maxBatch == 1 ? "" : "s"); the generated C indexes tensors with int", node: node.id)
        }
      }
      for weight in node.parameters where weight.elementCount > Limits.maxCElements {
        throw Diagnostic.error(
          "too large: weight '\(node.name)/\(weight.name)' has \(Limits.describe(weight.elementCount)) elements, more "
            + "than the generated C's \(Limits.describe(Limits.maxCElements))", node: node.id)
      }
    }
  }

  /// C for `graph` with `weights`; `plan` (made for `options.maxBatch`) if the caller has one.
  public static func generate(
    _ graph: Graph, weights: [String: Tensor], file: SourceFile, options: CodegenOptions = CodegenOptions(),
    plan: MemoryPlan? = nil
  ) throws -> GeneratedC {
    let plan = try plan ?? memoryPlan(graph, maxBatch: options.maxBatch)
    guard plan.maxBatch == options.maxBatch else {
      throw Diagnostic.error("the memory plan is for batches of \(plan.maxBatch), the code for \(options.maxBatch)")
    }
    return try Generator(graph: graph, weights: weights, file: file, options: options, plan: plan).run()
  }
}

private struct Generator {
  let graph: Graph
  let weights: [String: Tensor]
  let file: SourceFile
  let options: CodegenOptions
  let plan: MemoryPlan

  var prefix: String { cIdentifier(graph.name) }
  var macro: String { prefix.uppercased() }
  var external: Bool { options.weightsMode == .external }

  /// Parameter names: inputs by their declared names (made safe), outputs `output` or `output_<k>`.
  var inputParameters: [String] {
    graph.inputs.map { input in
      let name = cIdentifier(input.name)
      return reserved.contains(name) ? name + "_input" : name
    }
  }
  /// The C type of an input's elements, as the entry points, the frame and the part functions read it.
  func elementType(of input: Node) -> String {
    input.outputs[0].dtype == .int32 ? "const int32_t" : "const float"
  }

  var outputParameters: [String] {
    graph.outputs.count == 1 ? ["output"] : graph.outputs.indices.map { "output_\($0)" }
  }

  /// A value as a C expression: its input parameter, or a pointer into the arena.
  func expression(_ value: ValueRef) -> String {
    switch plan.placement[value] {
    case .input(let index): return inputParameters[index]
    case .arena: return "(A + \((plan.byteOffset(of: value) ?? 0) / 4))"
    case nil: return "NULL"
    }
  }

  func run() throws -> GeneratedC {
    // The forward function, a block per layer: its lowered calls, less those the plan made unnecessary.
    let lowered = try LoweredGraph(
      graph, weights: { weights[$0]?.floats }, maxBatch: options.maxBatch, layout: .panels)
    let steps = plan.callsToRun(lowered)
    var body: [String] = []
    var parts: [(name: String, text: String)] = []
    for node in graph.layers {
      let printer = CallPrinter(node: node, plan: plan, expression: expression)
      var lines: [String] = []
      for call in steps[node.id] ?? [] {
        guard let partLines = try printer.partLines(call) else {
          lines += try printer.lines(call)
          continue
        }
        let name = "\(prefix)_part_\(parts.count)"
        parts.append((name, partFunction(name, for: node, body: partLines)))
        lines += try printer.lines(call, part: name)
      }
      body.append("")
      body.append("  /* \(describe(node)) */")
      if lines.isEmpty {
        body.append("  /* \(sharingNote(node)) */")
      } else {
        body += lines.map { "  " + $0 }
      }
      let observed = node.outputs.indices.map { index -> String in
        let name = graph.name(of: ValueRef(node: node.id, output: index)).replacingOccurrences(of: "\"", with: "")
        let shape = "{batch, " + cInts(node.outputs[index].dims) + "}"
        return
          "  if (observe) { const int shape[] = \(shape); observe(\"\(name)\", \(expression(ValueRef(node: node.id, output: index))), shape, \(node.outputs[index].dims.count + 1), context); }"
      }
      body += observed
    }
    body.append("")
    for (index, output) in graph.outputs.enumerated() {
      let count = graph.type(of: output).elementCount
      body.append(
        "  memcpy(\(outputParameters[index]), \(expression(output)), sizeof(float) * (size_t)batch * \(count));")
    }

    let blob = lowered.constants
    return GeneratedC(
      prefix: prefix, header: header(weightCount: blob.count),
      source: source(body: body, parts: parts),
      weightsSource: options.weightsMode == .embedded
        ? weightsSource(blob) : options.weightsMode == .blob ? weightsAssembly(count: blob.count) : nil,
      weightsBlob: Tensor(shape: [blob.count], floats: blob).littleEndianBytes,
      main: CMain.program(prefix: prefix, graph: graph, external: external, inputParameters: inputParameters),
      plan: plan, options: options)
  }

  /// A layer's part function: one thread's part of its call, run by another thread through
  /// `dlc_parallel.part`, with the call's arguments as the layers function has them (its locals from
  /// the frame).
  func partFunction(_ name: String, for node: Node, body: [String]) -> String {
    let inputs = zip(graph.inputs, inputParameters).map { input, name in
      "  \(elementType(of: input)) *\(name) = f->\(name);\n"
    }.joined()
    let unused = (["W", "A"] + inputParameters).map { "(void)\($0);" }.joined(separator: " ")
    return """
      /* \(node.name)'s part `index` of its split among threads. */
      static void \(name)(void *frame, int index) {
        const \(prefix)_frame *f = (const \(prefix)_frame *)frame;
        const float *W = f->W;
        float *A = f->A;
        const int batch = f->batch;
        const dlc_parallel *parallel = f->parallel;
      \(inputs)  \(unused)
      \(body.map { "  " + $0 + "\n" }.joined())}
      """ + "\n\n"
  }

  /// Why a layer that computes nothing needs no code.
  func sharingNote(_ node: Node) -> String {
    switch plan.sharing[ValueRef(node: node.id)] {
    case .view: return "a view of its input: nothing to compute"
    case nil where node.traits.concatenates: return "its inputs were written into their slices: nothing to copy"
    default: return "nothing to compute"
    }
  }

  func describe(_ node: Node) -> String {
    let location = node.range.map { " at \(file.path):\(file.location(of: $0.start).line)" } ?? ""
    let shape = { (type: TensorType) in "(N" + type.dims.map { ", \($0)" }.joined() + ")" }
    let inputs = node.inputs.map { shape(graph.type(of: $0)) }.joined(separator: ", ")
    let outputs = node.outputs.map(shape).joined(separator: ", ")
    return "\(node.name) (\(node.op))\(location): \(inputs) -> \(outputs)".replacingOccurrences(of: "*/", with: "* /")
  }

  /// The run's passes through the layers when the plan fits fewer examples than `maxBatch` in
  /// `options.passBytes`: its number of examples per pass, and the start of `run_copy`, which
  /// sends a larger batch through the layers that many examples at a time, each pass with its
  /// inputs and outputs that far along. Not when observed (an observer is shown whole layers), or
  /// with a null pointer (the layers report it). Each example's arithmetic is the same in a pass of
  /// any size, so the outputs match one pass's to the tolerance of the row kernels' sums.
  func chunkedPasses() -> (definition: String, loop: String) {
    let examples = options.examplesPerPass(arenaBytes: plan.totalBytes)
    guard examples < options.maxBatch else { return ("", "") }
    let tensors = inputParameters + outputParameters
    let present = pointerArguments.joined(separator: " && ")
    let along =
      ((external ? ["weights"] : []) + tensors.map { "\($0) + (long)first * \(macro)_\($0.uppercased())_SIZE" })
      .joined(separator: ", ")
    let definition = """
      /* Examples per pass through the layers: a larger batch goes through them this many at a time,
         so that a pass's share of the arena (\(plan.totalBytes / options.maxBatch) bytes an example) stays within
         \(options.passBytes) bytes, near the core's cache. */
      #define \(macro)_EXAMPLES_PER_PASS \(examples)

      """
    let loop = """
        if (batch > \(macro)_EXAMPLES_PER_PASS && batch <= \(macro)_MAX_BATCH && !observe && \(present)) {
          int first;
          for (first = 0; first < batch; first += \(macro)_EXAMPLES_PER_PASS) {
            const int count = batch - first < \(macro)_EXAMPLES_PER_PASS ? batch - first : \(macro)_EXAMPLES_PER_PASS;
            const int status = \(prefix)_run_copy(count, \(along), arena, 0, 0, parallel);
            if (status != \(macro)_OK) return status;
          }
          return \(macro)_OK;
        }

      """
    return (definition, loop)
  }

  // MARK: Files

  /// The entry points' parameters after `batch`: weights (external), inputs, outputs. `restrict`
  /// is spelled through the header's macro, so the header also compiles as C++.
  var parameterList: String {
    let restrict = "\(macro)_RESTRICT"
    var parameters: [String] = external ? ["const float *\(restrict) weights"] : []
    for (input, name) in zip(graph.inputs, inputParameters) {
      parameters.append(
        "\(elementType(of: input)) *\(restrict) " + name)
    }
    parameters += outputParameters.map { "float *\(restrict) \($0)" }
    return parameters.joined(separator: ", ")
  }

  /// The entry points' pointer arguments after `batch`, in order: weights (external), inputs, outputs.
  var pointerArguments: [String] { (external ? ["weights"] : []) + inputParameters + outputParameters }

  var argumentList: String { pointerArguments.joined(separator: ", ") }

  func header(weightCount: Int) -> String {
    var text = """
      /* \(prefix).h — generated by dlc from \(file.path). Do not edit. */
      #ifndef \(macro)_H
      #define \(macro)_H

      #include <stdint.h>

      /* C99's restrict; C++ compilers spell it __restrict. */
      #ifdef __cplusplus
      #define \(macro)_RESTRICT __restrict
      extern "C" {
      #else
      #define \(macro)_RESTRICT restrict
      #endif

      /* Bytes of working memory a call needs: pass a buffer at least this large, aligned for float
         (malloc'd, or a static float array of \(macro)_ARENA_BYTES / 4 elements). */
      #define \(macro)_ARENA_BYTES \(plan.totalBytes)
      /* The most examples one call may process (dlc compile --batch). */
      #define \(macro)_MAX_BATCH \(options.maxBatch)
      /* Floats of packed weights\(external ? " in \(prefix)_weights.bin, passed as `weights`" : " compiled into the program"). */
      #define \(macro)_WEIGHT_COUNT \(weightCount)


      """
    for (input, name) in zip(graph.inputs, inputParameters) {
      let type = input.outputs[0]
      text +=
        "/* input \(input.name): \(type.dtype == .int32 ? "int32 token ids" : "float32"), (N, \(cInts(type.dims))) */\n"
      if let axes = input.variableAxes[0] {
        // The code is specialized to the maximum; a shorter sequence is padded by the caller.
        text +=
          "/*   axis \(axes.map { String($0 + 1) }.joined(separator: ", ")) declared none: compiled at its maximum "
          + "(--max-shape); pad shorter inputs with zeros, which gives the unpadded outputs only when the model "
          + "masks them (mask_zero) */\n"
      }
      text += "#define \(macro)_\(name.uppercased())_SIZE \(type.elementCount)\n"
    }
    for (output, name) in zip(graph.outputs, outputParameters) {
      let type = graph.type(of: output)
      text += "/* \(name): \(graph.outputName(of: output)), float32, (N, \(cInts(type.dims))) */\n"
      text += "#define \(macro)_\(name.uppercased())_SIZE \(type.elementCount)\n"
    }
    text += """

      /* Return codes. */
      #define \(macro)_OK 0
      #define \(macro)_ERROR_BATCH 1 /* batch < 1 or > \(macro)_MAX_BATCH */
      #define \(macro)_ERROR_TOKEN 2 /* a token id outside its embedding table; nothing was read out of bounds */
      #define \(macro)_ERROR_ARGUMENT 3 /* a NULL pointer */

      /* Runs one example. Inputs and outputs are row-major, channels-last. */
      int \(prefix)_run(\(parameterList), void *arena);

      /* Runs `batch` examples stored one after another. */
      int \(prefix)_run_batch(int batch, \(parameterList), void *arena);

      /* As \(prefix)_run_batch, calling `observe` with every layer's output as it is computed
         (for comparing with another implementation layer by layer). */
      typedef void (*\(prefix)_observer)(const char *name, const float *data, const int *shape, int rank, void *context);
      int \(prefix)_run_observed(int batch, \(parameterList), void *arena, \(prefix)_observer observe, void *context);

      /* As \(prefix)_run_batch, with the layers worth it (large Dense products) split among `threads`
         threads the caller owns: parallel_for(pool, count, task, args) must call task(args, i) once for
         each i in 0..count-1, on up to `threads` threads at once, and return when all have returned.
         The outputs are the same to the bit as \(prefix)_run_batch's. */
      typedef void (*\(prefix)_parallel_for)(void *pool, int count, void (*task)(void *args, int index), void *args);
      int \(prefix)_run_parallel(int batch, \(parameterList), void *arena, \(prefix)_parallel_for parallel_for, void *pool, int threads);

      /* The instruction set the layers run with on this CPU: "avx512", "avx2" or "portable". Built for
         the compiler's default target by GCC or Clang on x86-64, the file also carries the runtime built
         for AVX-512 and for AVX2 with FMA, and each call picks the best one the CPU has. */
      const char *\(prefix)_instruction_set(void);

      #ifdef __cplusplus
      }
      #endif

      #endif

      """
    return text
  }

  func source(body: [String], parts: [(name: String, text: String)]) -> String {
    let calls = body.joined(separator: "\n")
    let partFunctions = parts.map(\.text).joined()
    // The layers function's locals its split calls' arguments name, for their part functions.
    let frameType =
      parts.isEmpty
      ? ""
      : """
      /* What a layer's part function (dlc_parallel.part) reads of the layers function's locals. */
      typedef struct {
        const float *W;
        float *A;
        int batch;
        const dlc_parallel *parallel;
      \(zip(graph.inputs, inputParameters).map { input, name in
          "  \(elementType(of: input)) *\(name);\n" }.joined())} \(prefix)_frame;

      """ + "\n"
    let frame =
      parts.isEmpty
      ? ""
      : """
        \(prefix)_frame frame;
        dlc_parallel layer_parallel;
        frame.W = W, frame.A = A, frame.batch = batch, frame.parallel = parallel;
      \(inputParameters.map { "  frame.\($0) = \($0);\n" }.joined())
      """
    let signature =
      "int batch, \(parameterList), void *arena, \(prefix)_observer observe, void *context, const dlc_parallel *parallel"
    let arguments = "batch, \(argumentList), arena, observe, context, parallel"
    let layers = """
      \(partFunctions)static int \(prefix)_layers(\(signature)) {
        const float *W = \(external ? "weights" : "\(prefix)_weights");
        float *A = (float *)arena;
        int status = 0;
        if (batch < 1 || batch > \(macro)_MAX_BATCH) return \(macro)_ERROR_BATCH;
        if (\(pointerArguments.map { "!\($0)" }.joined(separator: " || ")) || (!arena && \(macro)_ARENA_BYTES > 0)) return \(macro)_ERROR_ARGUMENT;
        (void)W;
        (void)A;
        (void)status;
        (void)observe; /* a model whose layers all vanish at inference computes nothing */
        (void)context;
        (void)parallel; /* used by the layers worth splitting among threads */
      \(frame)\(calls)
        return \(macro)_OK;
      }

      """
    let copies = CRuntime.instructionSetCopies(
      of: layers, sectionsFor: calls + partFunctions, names: Set(["\(prefix)_layers"] + parts.map(\.name)))
    /// Returns `result` of the best copy compiled in that this CPU can run; falls through otherwise.
    func bestCopy(_ result: (CRuntime.InstructionSet) -> String) -> String {
      CRuntime.instructionSets.map { set in
        """
        #if defined(\(set.copyMacro))
          __builtin_cpu_init();
          if (\(set.cpuCheck)) return \(result(set));
        #endif

        """
      }.joined()
    }
    let dispatch = bestCopy { "\(prefix)_layers_\($0.name)(\(arguments))" }
    let (passes, chunks) = chunkedPasses()
    let named = bestCopy { "\"\($0.name)\"" }
    return """
      /* \(prefix).c — generated by dlc from \(file.path). Do not edit.
         Arena: \(plan.totalBytes) bytes (without reuse \(plan.naiveBytes), lower bound \(plan.lowerBoundBytes)). */
      #include "\(prefix).h"

      \(CRuntime.source(for: calls + partFunctions))
      \(external ? "" : "extern const float \(prefix)_weights[\(macro)_WEIGHT_COUNT + 1];\n")
      \(frameType)\(layers)
      \(copies)
      \(passes)static int \(prefix)_run_copy(\(signature)) {
      \(chunks)\(dispatch)  return \(prefix)_layers(\(arguments));
      }

      int \(prefix)_run_observed(int batch, \(parameterList), void *arena, \(prefix)_observer observe, void *context) {
        return \(prefix)_run_copy(batch, \(argumentList), arena, observe, context, NULL);
      }

      int \(prefix)_run_parallel(int batch, \(parameterList), void *arena, \(prefix)_parallel_for parallel_for, void *pool, int threads) {
        dlc_parallel parallel;
        parallel.run = parallel_for;
        parallel.pool = pool;
        parallel.threads = parallel_for ? threads : 1;
        parallel.part = NULL;
        parallel.frame = NULL;
        return \(prefix)_run_copy(batch, \(argumentList), arena, 0, 0, &parallel);
      }

      int \(prefix)_run_batch(int batch, \(parameterList), void *arena) {
        return \(prefix)_run_copy(batch, \(argumentList), arena, 0, 0, NULL);
      }

      int \(prefix)_run(\(parameterList), void *arena) {
        return \(prefix)_run_copy(1, \(argumentList), arena, 0, 0, NULL);
      }

      const char *\(prefix)_instruction_set(void) {
      \(named)#if defined(__AVX512F__)
        return "avx512";
      #elif defined(__AVX2__) && defined(__FMA__)
        return "avx2";
      #else
        return "portable";
      #endif
      }

      """
  }

  /// The blob mode's `<model>_weights.S`: `<model>_weights.bin` as read-only data under the array's
  /// name (ELF and Mach-O; the assembler finds the .bin through -I or the working directory).
  func weightsAssembly(count: Int) -> String {
    """
    /* \(prefix)_weights.S — generated by dlc from \(file.path): \(count) floats in \(prefix)_weights.bin, linked in
       as \(prefix)_weights (one spare zero after them). Do not edit. Build it with the C compiler, with
       -I<this directory> when compiling elsewhere. */
    #if defined(__APPLE__)
    #define DLC_WEIGHTS _\(prefix)_weights
      .section __TEXT,__const
    #else
    #define DLC_WEIGHTS \(prefix)_weights
      .section .rodata
    #endif
      .balign 64
      .globl DLC_WEIGHTS
    DLC_WEIGHTS:
      .incbin "\(prefix)_weights.bin"
      .zero 4
    #if defined(__ELF__)
      .section .note.GNU-stack,"",%progbits
    #endif

    """
  }

  func weightsSource(_ floats: [Float]) -> String {
    var text = """
      /* \(prefix)_weights.c — generated by dlc from \(file.path): \(floats.count) floats. Do not edit. */
      #include "\(prefix).h"

      /* One spare element so a model without weights still has a valid array. */
      const float \(prefix)_weights[\(macro)_WEIGHT_COUNT + 1] = {

      """
    var line = ""
    for value in floats {
      line += cFloat(value) + ","
      if line.count > 100 {
        text += line + "\n"
        line = ""
      }
    }
    text += line + "0.0f};\n"
    return text
  }
}

/// A C identifier from a dlc name (letters, digits, `_`, `-`, `.`).
func cIdentifier(_ name: String) -> String {
  let mapped = String(name.map { $0.isLetter || $0.isNumber || $0 == "_" ? $0 : "_" })
  return mapped.first?.isNumber == true ? "_" + mapped : mapped
}

/// Names a parameter may not take: C keywords and the forward function's own locals.
let reserved: Set<String> = [
  "auto", "break", "case", "char", "const", "continue", "default", "do", "double", "else", "enum", "extern", "float",
  "for", "goto", "if", "inline", "int", "long", "register", "restrict", "return", "short", "signed", "sizeof",
  "static", "struct", "switch", "typedef", "union", "unsigned", "void", "volatile", "while", "batch", "arena",
  "weights", "output", "observe", "context", "status", "shape", "W", "A", "frame", "layer_parallel", "f", "index",
]
