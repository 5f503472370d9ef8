// The C runtime (codegen/runtime/dlc_runtime.h), split into its sections so generated code carries
// only the kernels it calls, plus what those need.

public enum CRuntime {
  /// The runtime's text, embedded at build time from codegen/runtime/dlc_runtime.h.
  public static let text = String(decoding: PackageResources.dlc_runtime_h, as: UTF8.self)

  struct Section {
    var name: String
    var body: String
  }

  /// Sections in file order; text before the first section (the file comment) is dropped.
  static let sections: [Section] = {
    var result: [Section] = []
    var current: Section?
    for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
      if line.hasPrefix("/* @section ") {
        if let current { result.append(current) }
        let name = line.dropFirst("/* @section ".count).split(separator: " ").first.map(String.init) ?? ""
        current = Section(name: name, body: "")
        continue
      }
      current?.body += line + "\n"
    }
    if let current { result.append(current) }
    return result
  }()

  /// The lines around the runtime's sections in generated code: the first names the sections.
  public static let beginMarker = "/* dlc runtime (codegen/runtime/dlc_runtime.h), sections:"
  public static let endMarker = "/* end of dlc runtime */"
  /// The lines around the copies of the runtime and the layers built for other instruction sets.
  public static let copiesBeginMarker =
    "/* The runtime and the layers again for other instruction sets, picked when the model runs. */"
  public static let copiesEndMarker = "/* end of the instruction-set copies */"

  /// Generated code with the runtime's sections and their copies left out, each block's first line
  /// kept: the model's own code, for golden files that should change when the model's code does.
  public static func withoutRuntime(_ source: String) -> String {
    var text = source
    for (begin, end) in [(beginMarker, endMarker), (copiesBeginMarker, copiesEndMarker)] {
      guard let start = text.range(of: begin), let finish = text.range(of: end + "\n"),
        let lineEnd = text[start.upperBound...].firstIndex(of: "\n"), lineEnd < finish.lowerBound
      else { continue }
      text = String(text[..<lineEnd]) + "\n" + String(text[finish.upperBound...])
    }
    return text
  }

  /// `code` with each identifier (and keyword) replaced by `transform` of it.
  static func mapIdentifiers(_ code: String, _ transform: (String) -> String) -> String {
    var result = ""
    var current = ""
    for character in code.unicodeScalars {
      if character.properties.isAlphabetic || ("0"..."9").contains(character) || character == "_" {
        current.unicodeScalars.append(character)
      } else {
        result += current.isEmpty ? "" : transform(current)
        current = ""
        result.unicodeScalars.append(character)
      }
    }
    return result + (current.isEmpty ? "" : transform(current))
  }

  /// The `dlc_…` identifiers a piece of C mentions.
  static func mentions(_ code: String) -> Set<String> {
    var names: Set<String> = []
    _ = mapIdentifiers(code) { name in
      if name.hasPrefix("dlc_") { names.insert(name) }
      return name
    }
    return names
  }

  /// Every section `code` mentions, directly or through other sections, in file order.
  static func sections(for code: String) -> [Section] {
    let byName = Dictionary(sections.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    var wanted: Set<String> = ["prelude"]
    var pending = Array(mentions(code))
    while let name = pending.popLast() {
      guard let section = byName[name], wanted.insert(name).inserted else { continue }
      pending += mentions(section.body).subtracting([name])
    }
    return sections.filter { wanted.contains($0.name) }
  }

  static func joined(_ sections: [Section]) -> String {
    sections.map(\.body).joined().replacingOccurrences(of: "\n\n\n", with: "\n\n")
  }

  /// The prelude and every section `code` mentions, directly or through other sections, in file order.
  public static func source(for code: String) -> String {
    let used = sections(for: code)
    return "\(beginMarker) \(used.map(\.name).joined(separator: ", ")) */\n" + joined(used) + endMarker + "\n"
  }

  /// An instruction set the generated code carries a copy of the runtime and the layers for, built
  /// with the compiler's per-function target (GCC and Clang on x86-64) and picked by a CPU check when
  /// the model runs: a file built for the compiler's default target (SSE2) still runs the vector
  /// kernels on a CPU that has them. The runtime selects its paths with `define`, as it does in dlc's
  /// interpreter (Sources/CDLCRuntime).
  public struct InstructionSet: Sendable {
    /// What `<model>_instruction_set()` returns, and the suffix of the copy's names.
    public var name: String
    var title: String
    /// The compiler's target features for the copy.
    var features: String
    var define: String
    /// When the compiler's own target already has these, the default copy is this instruction set.
    var compilerMacros: [String]
    var cpuFeatures: [String]

    /// The macro that says the copy is compiled in.
    public var copyMacro: String { "DLC_COPY_\(name.uppercased())" }
    var compilerHasIt: String { compilerMacros.map { "defined(\($0))" }.joined(separator: " && ") }
    /// A C expression that is true on a CPU that can run the copy.
    public var cpuCheck: String {
      cpuFeatures.map { "__builtin_cpu_supports(\"\($0)\")" }.joined(separator: " && ")
    }
  }

  /// The copies, best first.
  public static let instructionSets = [
    InstructionSet(
      name: "avx512", title: "AVX-512", features: "avx512f,avx2,fma", define: "DLC_TARGET_AVX512",
      compilerMacros: ["__AVX512F__"], cpuFeatures: ["avx512f"]),
    InstructionSet(
      name: "avx2", title: "AVX2 with FMA", features: "avx2,fma", define: "DLC_TARGET_AVX2",
      compilerMacros: ["__AVX2__", "__FMA__"], cpuFeatures: ["avx2", "fma"]),
  ]

  /// The runtime's sections for `code`, and `code` itself, once per instruction set in
  /// `instructionSets` that the compiler does not already target: in each copy the runtime's names
  /// (`dlc_X` becomes `dlc_avx512_X`) and `names` (`N` becomes `N_avx512`) are renamed, the model's
  /// other names (its weights, its observer type) are kept, and the runtime's macros are redefined.
  /// Define DLC_NO_COPIES when compiling to leave the copies out (the default target only).
  public static func instructionSetCopies(of code: String, sectionsFor calls: String, names: Set<String>) -> String {
    let used = sections(for: calls).filter { $0.name != "prelude" }
    let runtime = joined(used)
    // Only what the runtime's sections name: a model may itself be called dlc_something, and the
    // prelude's types (dlc_parallel) are shared by every copy.
    let prelude = sections.first { $0.name == "prelude" }?.body ?? ""
    let runtimeNames = mentions(runtime).subtracting(mentions(prelude))
    var macros: [String] = []
    for line in runtime.split(separator: "\n") where line.hasPrefix("#define DLC_") {
      let name = String(line.dropFirst("#define ".count).prefix { $0.isLetter || $0.isNumber || $0 == "_" })
      if !macros.contains(name) { macros.append(name) }
    }
    let undefine = macros.map { "#undef \($0)\n" }.joined()
    var text = """
      \(copiesBeginMarker)
      /* A file built for the compiler's default target still runs vector kernels on a CPU that has them
         (GCC and Clang on x86-64). Define DLC_NO_COPIES to build the compiler's target only. */
      #if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__)) && !defined(DLC_NO_COPIES)
      #include <immintrin.h>

      """
    // GCC specializes kernels for their call sites' constants (the windows' sizes) within a budget
    // for the whole file, spent on the functions defined last first: the best set's copy comes last.
    for (index, set) in instructionSets.enumerated().reversed() {
      // A compiler already targeting a better set makes this copy's default the better one.
      let better = instructionSets[...index].map { "!(\($0.compilerHasIt))" }.joined(separator: " && ")
      let suffix = "_" + set.name
      text += """
        #if \(better)
        #define \(set.copyMacro) 1
        /* \(set.title) */
        \(undefine)#define \(set.define) 1
        #if defined(__clang__)
        #pragma clang attribute push(__attribute__((target("\(set.features)"))), apply_to = function)
        #else
        #pragma GCC push_options
        #pragma GCC target("\(set.features)")
        #endif
        \(mapIdentifiers(runtime + code) { runtimeNames.contains($0) ? "dlc\(suffix)_" + $0.dropFirst(4) : names.contains($0) ? $0 + suffix : $0 })
        #if defined(__clang__)
        #pragma clang attribute pop
        #else
        #pragma GCC pop_options
        #endif
        #undef \(set.define)
        #endif

        """
    }
    return text + "#endif\n" + copiesEndMarker + "\n"
  }
}
