import CFlintSupport

/// The 0-d tensors that stand for Swift numbers in arithmetic (`x * 2`, `y + 1`), kept
/// per thread for the last few numbers used, so a loop that multiplies by the same
/// number does not allocate a tensor and its storage for it every time.
///
/// Sharing is safe because nothing outside Flint can reach such a tensor: the operators
/// only read it and always return a fresh result. Under saved-tensor hooks, which are
/// handed the operands they save and could change them, every use gets its own tensor.
enum WrappedNumbers {
    /// A 0-d tensor of `dtype` holding `double` (or `integer`, exactly, for int64).
    static func tensor(double: Double, integer: Int64, dtype: DType) -> Tensor {
        guard SavedTensorHookStack.innermost == nil else {
            return Tensor(scalar: double, integer: integer, dtype: dtype)
        }
        let bits = dtype == .int64 ? UInt64(bitPattern: integer) : double.bitPattern
        let kind = code(of: dtype)
        let slots = flint_number_slots()
        let count = Int(FLINT_NUMBER_SLOTS)
        for i in 0..<count where slots[i].bits == bits && slots[i].kind == kind {
            if let object = slots[i].object { return Unmanaged<Tensor>.fromOpaque(object).takeUnretainedValue() }
        }
        _ = releaseRegistered
        let created = Tensor(scalar: double, integer: integer, dtype: dtype)
        if let evicted = slots[count - 1].object { Unmanaged<Tensor>.fromOpaque(evicted).release() }
        for i in stride(from: count - 1, to: 0, by: -1) { slots[i] = slots[i - 1] }
        slots[0] = flint_number_slot(bits: bits, kind: kind, object: Unmanaged.passRetained(created).toOpaque())
        return created
    }

    /// Registers, once, how a thread's table gives up its tensors when the thread ends.
    private static let releaseRegistered: Void = flint_set_number_release { Unmanaged<Tensor>.fromOpaque($0).release() }

    /// A nonzero code per dtype (an empty slot has kind 0).
    private static func code(of dtype: DType) -> Int64 {
        switch dtype {
        case .float32: 1
        case .float64: 2
        case .int64: 3
        case .bool: 4
        }
    }
}
