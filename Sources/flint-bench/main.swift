import Flint
let x = Tensor(2.0, dtype: .float64, requiresGrad: true)
let y = x * x
let z = y * y + y
try z.backward()
print(x.grad!.item(), x.grad!)
