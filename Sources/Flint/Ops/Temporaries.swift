// Results written over dead operands. An operator that consumes a temporary (`x * 2` in
// `x * 2 + 1`, `(y + 1).tanh()`) may write its result into the temporary's buffer when
// nothing else can see it: no other reference to the tensor or its storage (a saved
// tensor, a view, `data`, a hook's or caller's copy all hold one), and the op does not
// save the operand itself. The buffer is then already in cache and no new one is
// allocated; the gradients and the graph are the same as with a fresh result.

extension Tensor {
    /// Whether the elements are this tensor's storage, whole: contiguous from offset 0,
    /// no view of another tensor, and bytes the storage owns (not `data`'s alias).
    var isWholeBuffer: Bool {
        base == nil && offset == 0 && isContiguous && storage.count == count && storage.ownsBytes
    }

    /// Whether `operand`, consumed by an op that does not save it, can hold the op's result
    /// (of its shape and dtype) in its own buffer: nothing else references the tensor or
    /// its storage, it is a whole buffer, and it is no leaf that requires grad and carries
    /// no forward-mode tangent (both are read after the op).
    static func isReusableOperand(_ operand: inout Tensor) -> Bool {
        isKnownUniquelyReferenced(&operand) && isKnownUniquelyReferenced(&operand.storage)
            && !operand.flagsRequiresGrad && operand.tangent == nil && operand.isWholeBuffer
    }

    /// A new tensor over this tensor's storage, without autograd state, once
    /// `write(self, result)` has written the op's result there.
    func overwritten(_ write: (_ operand: Tensor, _ result: Tensor) -> Void) -> Tensor {
        let result = Tensor(storage: storage, shape: shape, strides: strides, isContiguous: true)
        write(self, result)
        return result
    }
}
