import Testing
@testable import Flint

/// The public gradcheck catches wrong derivatives, and the grad-mode controls behave as
/// PyTorch's.
@Suite struct GradcheckTests {
    let x = Tensor([0.5, -1.25, 2.0], dtype: .float64, requiresGrad: true)

    @Test func correctGradientsPass() throws {
        #expect(try Autograd.gradcheck({ pow($0[0], 3).sin() }, inputs: [x]))
        #expect(try Autograd.gradcheck({ pow($0[0], 3).sin() }, inputs: [x], fastMode: true))
        #expect(try Autograd.gradgradcheck({ pow($0[0], 3).sin() }, inputs: [x]))
    }

    @Test func wrongFirstDerivativeIsCaught() {
        // x · stop_gradient(x): the value is x², the recorded derivative x instead of 2x.
        let wrong: ([Tensor]) -> Tensor = { $0[0] * $0[0].detach() }
        #expect(throws: GradcheckError.self) { try Autograd.gradcheck(wrong, inputs: [x]) }
        #expect(throws: GradcheckError.self) { try Autograd.gradcheck(wrong, inputs: [x], fastMode: true) }
        do {
            try Autograd.gradcheck(wrong, inputs: [x])
        } catch {
            #expect("\(error)".contains("Jacobian mismatch for output 0 with respect to input 0"))
            #expect("\(error)".contains("numerical:"))
        }
    }

    @Test func wrongSecondDerivativeIsCaught() throws {
        // Value x³ and first derivative 3x², but the derivative is frozen: its own
        // derivative is 0 instead of 6x.
        let frozen: ([Tensor]) -> Tensor = { inputs in
            let x = inputs[0]
            return pow(x, 3).detach() + (x - x.detach()) * (pow(x, 2) * 3).detach()
        }
        #expect(try Autograd.gradcheck(frozen, inputs: [x]))
        #expect(throws: GradcheckError.self) { try Autograd.gradgradcheck(frozen, inputs: [x]) }
    }

    @Test func inputsAreRestored() throws {
        let before = x.scalars(as: Double.self)
        try Autograd.gradcheck({ $0[0].exp() }, inputs: [x])
        #expect(x.scalars(as: Double.self) == before)
    }

    @Test func setGradEnabledAndInferenceMode() {
        let w = Tensor.ones([2], requiresGrad: true)
        setGradEnabled(false)
        #expect(!isGradEnabled && !(w * 2).requiresGrad)
        setGradEnabled(true)
        #expect(isGradEnabled && (w * 2).requiresGrad)
        let buffer = Tensor.zeros([2])
        inferenceMode {
            #expect(isInferenceModeEnabled && !isGradEnabled)
            #expect(!(w * 2).requiresGrad)
            buffer += 1
        }
        #expect(!isInferenceModeEnabled && isGradEnabled)
        #expect(buffer.version.value == 0)
        #expect(buffer.scalars(as: Float.self) == [1, 1])
        noGrad { buffer += 1 }
        #expect(buffer.version.value == 1)
    }
}
