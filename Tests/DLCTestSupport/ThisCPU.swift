// The machine the tests run on, as the generated code's instruction-set copies see it.
import Foundation

public enum ThisCPU {
  /// The copy a generic build picks here: "avx512", "avx2" (with FMA) or "portable", from the
  /// flags /proc/cpuinfo lists.
  public static func bestInstructionSet() throws -> String {
    let cpuinfo = try String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)
    let flags = Set(
      cpuinfo.split(separator: "\n").first { $0.hasPrefix("flags") }?.split(separator: " ").map(String.init) ?? [])
    if flags.contains("avx512f") { return "avx512" }
    return flags.contains("avx2") && flags.contains("fma") ? "avx2" : "portable"
  }
}
