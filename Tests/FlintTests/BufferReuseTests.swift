import Foundation
import Testing
@testable import Flint

/// One-pass backward formulas (sin, cos, tanh, sigmoid, mul and div by a number)
/// write their result over the incoming gradient when nothing else holds it, and
/// operators write over a consumed temporary that nothing else holds and the op does
/// not save; never over a tensor someone can still see.
@Suite struct BufferReuseTests {
    /// Runs `node` on a gradient of ones and says whether the result took its storage.
    static func reusesGradient(_ node: Node, shape: [Int], keeping: Bool) throws -> Bool {
        var grad: Tensor? = Tensor.ones(shape)
        let kept = keeping ? grad : nil
        let storage = ObjectIdentifier(grad!.storage)
        let result = try noGrad { try node.apply(&grad, releasingSaved: false) }
        if let kept { #expect(kept.scalars(as: Float.self) == [Float](filled: 1, count: Shape.count(shape))) }
        return result[0].map { ObjectIdentifier($0.storage) == storage } ?? false
    }

    @Test func oneUseFormulasWriteOverAnUnsharedGradient() throws {
        let x = Tensor([0.5, -1, 2], requiresGrad: true)
        let results = [x.sin(), x.cos(), x.tanh(), x.sigmoid(), x * 3, x / 4]
        for y in results {
            #expect(try Self.reusesGradient(y.gradFn!, shape: [3], keeping: false), "\(y.gradFn!.name)")
            #expect(try !Self.reusesGradient(y.gradFn!, shape: [3], keeping: true), "\(y.gradFn!.name)")
        }
        // relu's backward is a select, which runs a branch per element when written in place.
        #expect(try !Self.reusesGradient(x.relu().gradFn!, shape: [3], keeping: false))
        // A product of two tensors reads the gradient twice; an expanded gradient is no buffer.
        #expect(try !Self.reusesGradient((x * x).gradFn!, shape: [3], keeping: false))
        let sine = x.sin()
        var expanded: Tensor? = Tensor.ones([]).expand([3])
        let storage = ObjectIdentifier(expanded!.storage)
        let result = try noGrad { try sine.gradFn!.apply(&expanded, releasingSaved: false) }
        #expect(ObjectIdentifier(result[0]!.storage) != storage)
    }

    @Test func gradientsOthersHoldAreLeftAlone() throws {
        let x = Tensor([0.5, -1, 2], requiresGrad: true)
        // The caller's gradient, a hook's copy and a retained gradient stay as they were.
        let v = Tensor([1, 2, 3] as [Float])
        let h = x * 2
        h.retainGrad()
        var hooked: Tensor?
        let s = h.sin()
        _ = s.registerHook { g in hooked = g; return nil }
        let y = s * 3
        try y.backward(gradient: v)
        #expect(v.scalars(as: Float.self) == [1, 2, 3])
        #expect(hooked!.scalars(as: Float.self) == [3, 6, 9])
        let hValues = h.scalars(as: Double.self)
        expectClose(h.grad!.scalars(as: Double.self), zip([3.0, 6, 9], hValues).map { $0 * Foundation.cos($1) }, "h.grad")
        expectClose(x.grad!.scalars(as: Double.self), zip([3.0, 6, 9], hValues).map { 2 * $0 * Foundation.cos($1) }, "x.grad")
    }

    @Test func aGradientSentToTwoInputsIsReusedOnlyByTheLast() throws {
        let x = Tensor([0.5, -1, 2], requiresGrad: true)
        try ((x.sin() + x.cos()) * 3).sum().backward()
        let values = x.scalars(as: Double.self)
        expectClose(x.grad!.scalars(as: Double.self), values.map { 3 * (Foundation.cos($0) - Foundation.sin($0)) }, "x.grad")
    }

    @Test func operatorsWriteOverAConsumedTemporary() throws {
        let t = Tensor([1, 2, 3] as [Float]) * 2
        let storage = ObjectIdentifier(t.storage)
        let u = (consume t) + 1
        #expect(ObjectIdentifier(u.storage) == storage && u.scalars(as: Float.self) == [3, 5, 7])
        let v = (consume u).tanh()
        #expect(ObjectIdentifier(v.storage) == storage)
        expectClose(v.scalars(as: Double.self), [3.0, 5, 7].map { Foundation.tanh($0) }, "tanh")
    }

    @Test func operandsSomeoneCanSeeAreLeftAlone() throws {
        let kept = Tensor([1, 2, 3] as [Float]) * 2
        _ = kept + 1
        #expect(kept.scalars(as: Float.self) == [2, 4, 6])
        let viewed = Tensor([1, 2, 3] as [Float]) * 2
        let view = viewed.view([3, 1])
        _ = (consume viewed) + 1
        #expect(view.scalars(as: Float.self) == [2, 4, 6])
        let aliased = Tensor([1, 2, 3] as [Float]) * 2
        let alias = aliased.data
        _ = (consume aliased) * 5
        #expect(alias.scalars(as: Float.self) == [2, 4, 6])
        // A log saves its input: its result gets a buffer of its own.
        let logged = Tensor([1, 2, 3] as [Float], requiresGrad: true) * 2
        let storage = ObjectIdentifier(logged.storage)
        #expect(ObjectIdentifier((consume logged).log().storage) != storage)
    }

    @Test func savedOperandsKeepTheirValues() throws {
        let x = Tensor([0.5, -1, 2], requiresGrad: true)
        let w = Tensor([3, 4, 5] as [Float], requiresGrad: true)
        let h = x * 2
        // w needs a gradient, so the product saves h (w's gradient is g·h).
        try ((consume h) * w).sum().backward()
        #expect(w.grad!.scalars(as: Float.self) == [1, -2, 4])
        #expect(x.grad!.scalars(as: Float.self) == [6, 8, 10])
        // exp saves its output (written over the temporary): its gradient is g·e^(2x).
        x.grad = nil
        try ((x * 2).exp() * 1).sum().backward()
        expectClose(x.grad!.scalars(as: Double.self), [0.5, -1, 2].map { 2 * Foundation.exp(2 * $0) }, "x.grad")
    }

    /// The storage of the gradient `hooked` (a tensor whose gradient comes from `makeLoss`'s
    /// one-pass formula) receives, after `backward(retainGraph:)`.
    static func gradientStorage(retainGraph: Bool, _ makeLoss: (Tensor, (Storage) -> Void) -> Tensor) throws -> (got: Storage?, saved: Storage?) {
        let x = Tensor([0.5, -1, 2], requiresGrad: true)
        let hooked = x * 2
        var got: Storage?
        _ = hooked.registerHook { g in got = g.storage; return nil }
        weak var saved: Storage?
        let loss = makeLoss(hooked) { saved = $0 }
        try loss.backward(retainGraph: retainGraph)
        return (got, saved)
    }

    @Test func oneUseFormulasWriteOverADeadSavedTensor() throws {
        // The sum sends an expanded gradient (no buffer), so tanh's and sigmoid's gradients
        // go over their saved outputs, and sine's over its saved input, once nothing else
        // holds them and the graph is being freed.
        let formulas: [(Tensor) -> (Tensor, Tensor)] = [
            { h in let y = h.tanh(); return (y, y) },
            { h in let y = h.sigmoid(); return (y, y) },
            { h in let t = h + 1; return (t, t.sin()) },
        ]
        for formula in formulas {
            let freed = try Self.gradientStorage(retainGraph: false) { h, note in
                let (saved, y) = formula(h)
                note(saved.storage)
                return y.sum()
            }
            #expect(freed.saved != nil && freed.got === freed.saved)
            let kept = try Self.gradientStorage(retainGraph: true) { h, note in
                let (saved, y) = formula(h)
                note(saved.storage)
                return y.sum()
            }
            #expect(kept.got !== kept.saved)
        }
        // An output the caller still holds keeps its values.
        let x = Tensor([0.5, -1, 2], requiresGrad: true)
        let y = (x * 2).tanh()
        let values = y.scalars(as: Float.self)
        try y.sum().backward()
        #expect(y.scalars(as: Float.self) == values)
        expectClose(x.grad!.scalars(as: Double.self), values.map { 2 * (1 - Double($0) * Double($0)) }, "x.grad")
    }
}
