// Arithmetic on numbers in argument values, as Python computes it: `1. / 255`, `2 ** -0.5`,
// `filters * 4`. The parser computes it on numbers as it reads them; with a block parameter among
// the operands, the elaborator computes it when the block is called. One rule serves both.
import Foundation

public enum ArithmeticOperator: String, Sendable {
  case add = "+"
  case subtract = "-"
  case multiply = "*"
  case divide = "/"
  case floorDivide = "//"
  case power = "**"

  init?(_ token: TokenKind) {
    switch token {
    case .plus: self = .add
    case .minus: self = .subtract
    case .star: self = .multiply
    case .slash: self = .divide
    case .floorSlash: self = .floorDivide
    case .power: self = .power
    default: return nil
    }
  }

  public enum Problem: Error, Equatable {
    case divisionByZero, integerOverflow, notFinite

    public var message: String {
      switch self {
      case .divisionByZero: return "division by zero"
      case .integerOverflow: return "the result is too large for an integer"
      case .notFinite: return "the result is not a finite number"
      }
    }
  }

  /// Integers stay integers except for `/` (true division, as in Python) and negative powers.
  public func apply(_ left: ConstantNumber, _ right: ConstantNumber) -> Result<ConstantNumber, Problem> {
    if case .integer(let x) = left, case .integer(let y) = right, self != .divide {
      var result: (Int, Bool)?
      switch self {
      case .add: result = x.addingReportingOverflow(y)
      case .subtract: result = x.subtractingReportingOverflow(y)
      case .multiply: result = x.multipliedReportingOverflow(by: y)
      case .floorDivide:
        guard y != 0 else { return .failure(.divisionByZero) }
        // Python rounds toward negative infinity.
        let (quotient, overflow) = x.dividedReportingOverflow(by: y)
        let floored = (x % y != 0 && (x < 0) != (y < 0)) ? quotient - 1 : quotient
        result = (floored, overflow)
      case .power where y >= 0:
        var power = (1, false)
        for _ in 0..<min(y, 64) where !power.1 {
          let next = power.0.multipliedReportingOverflow(by: x)
          power = (next.partialValue, next.overflow)
        }
        result = y > 64 && abs(x) > 1 ? (0, true) : power
      default: result = nil
      }
      if let (value, overflow) = result {
        return overflow ? .failure(.integerOverflow) : .success(.integer(value))
      }
    }
    let (a, b) = (left.double, right.double)
    let value: Double
    switch self {
    case .add: value = a + b
    case .subtract: value = a - b
    case .multiply: value = a * b
    case .divide:
      guard b != 0 else { return .failure(.divisionByZero) }
      value = a / b
    case .floorDivide:
      guard b != 0 else { return .failure(.divisionByZero) }
      value = (a / b).rounded(.down)
    case .power: value = pow(a, b)
    }
    return value.isFinite ? .success(.float(value)) : .failure(.notFinite)
  }
}

/// A number an arithmetic operand holds.
public enum ConstantNumber: Equatable, Sendable {
  case integer(Int)
  case float(Double)

  public init?(_ kind: ValueKind) {
    switch kind {
    case .integer(let value): self = .integer(value)
    case .float(let value): self = .float(value)
    default: return nil
    }
  }

  public var double: Double {
    switch self {
    case .integer(let value): return Double(value)
    case .float(let value): return value
    }
  }

  public var kind: ValueKind {
    switch self {
    case .integer(let value): return .integer(value)
    case .float(let value): return .float(value)
    }
  }
}
