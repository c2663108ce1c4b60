// Results written over buffers nobody else can see. An operator that consumes a
// temporary (`x * 2` in `x * 2 + 1`, `(y + 1).tanh()`) may write its result into the
// temporary's buffer, and a backward formula that reads its output gradient (or a tensor
// it saved) once may write its result over it, when nothing else can see it: no other
// reference to the tensor or its storage (a saved tensor, a view, `data`, a hook's or
// caller's copy all hold one), and the op does not save the operand itself. The buffer
// is then already in cache and no new one is allocated; the gradients and the graph are
// the same as with a fresh result.

extension Tensor {
    /// Whether the elements are this tensor's storage, whole: contiguous from offset 0,
    /// no view of another tensor, and bytes the storage owns (not `data`'s alias).
    var isWholeBuffer: Bool {
        base == nil && offset == 0 && isContiguous && storage.count == count && storage.ownsBytes
    }

    /// Whether nothing but the caller's own reference holds `tensor` or its storage.
    static func isUnshared(_ tensor: inout Tensor) -> Bool {
        isKnownUniquelyReferenced(&tensor) && isKnownUniquelyReferenced(&tensor.storage)
    }

    /// Whether `operand`, consumed by an op that does not save it, can hold the op's result
    /// (of its shape and dtype) in its own buffer: it is an unshared whole buffer, no leaf
    /// that requires grad, and carries no forward-mode tangent (both are read after the op).
    static func isReusableOperand(_ operand: inout Tensor) -> Bool {
        isUnshared(&operand) && !operand.flagsRequiresGrad && operand.tangent == nil && operand.isWholeBuffer
    }

    /// Whether `grad`, a gradient a backward formula took from its context, may receive the
    /// formula's one-pass result (of its own shape and dtype) in place of a new tensor: the
    /// pass is not recorded and `grad` is an unshared whole buffer outside any graph.
    static func isReusableGradient(_ grad: inout Tensor) -> Bool {
        !recording(grad) && isUnshared(&grad) && grad.gradNode == nil && grad.isWholeBuffer
    }

    /// Whether `saved`, a saved tensor a backward formula took from its context, may receive
    /// the formula's one-pass result (of its own shape and dtype): the pass is not
    /// recorded, the node has freed its own reference (`BackwardContext.takeSaved`), and
    /// what is left is an unshared whole buffer that is no leaf — an activation nothing
    /// but this node kept.
    static func isReusableSaved(_ saved: inout Tensor) -> Bool {
        !recording(saved) && isUnshared(&saved) && !saved.flagsRequiresGrad && saved.isWholeBuffer
    }

    /// A new tensor over this tensor's storage, without autograd state, to hold a result
    /// written over it.
    var reusedBuffer: Tensor { Tensor(storage: storage, shape: shape, strides: strides, isContiguous: true) }

    /// `reusedBuffer`, once `write(self, result)` has written the op's result there.
    func overwritten(_ write: (_ operand: Tensor, _ result: Tensor) -> Void) -> Tensor {
        let result = reusedBuffer
        write(self, result)
        return result
    }
}
