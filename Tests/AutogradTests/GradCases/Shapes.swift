import Autograd

extension GradCases {
    static var shapes: [OpKind: [GradCase]] { [:] }
}
