// "Did you mean …?" suggestions by edit distance.

public enum NearestName {
  /// The candidate closest to `name`, if it is close enough to be a plausible typo.
  public static func suggest(_ name: String, among candidates: [String]) -> String? {
    // Edit distance is quadratic; a name far longer than any candidate is no typo of one.
    guard name.utf8.count <= maxComparedLength else { return nil }
    let lowered = name.lowercased()
    var best: (String, Int)?
    for candidate in candidates where candidate.utf8.count <= maxComparedLength {
      let distance = editDistance(lowered, candidate.lowercased())
      if let current = best, current.1 <= distance { continue }
      best = (candidate, distance)
    }
    guard let (candidate, distance) = best else { return nil }
    let allowed = max(2, min(name.count, candidate.count) / 3)
    return distance <= allowed ? candidate : nil
  }

  static let maxComparedLength = 200

  /// Levenshtein distance over characters.
  public static func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a)
    let b = Array(b)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var previous = Array(0...b.count)
    var current = [Int](repeating: 0, count: b.count + 1)
    for i in 1...a.count {
      current[0] = i
      for j in 1...b.count {
        let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
        current[j] = min(previous[j] + 1, current[j - 1] + 1, substitution)
      }
      swap(&previous, &current)
    }
    return previous[b.count]
  }

  /// " (did you mean 'x'?)" or "".
  public static func hint(_ name: String, among candidates: [String]) -> String {
    guard let suggestion = suggest(name, among: candidates) else { return "" }
    return "; did you mean '\(suggestion)'?"
  }
}
