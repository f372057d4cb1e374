/// Statistics shared by the processes of a data-parallel job, for the synchronized norms
/// (SyncBN, SN with synchronized batch statistics; torch's SyncBatchNorm): every process calls
/// the same operations in the same order. The Engine gives the norms one over MPI when a run
/// has several processes; without one a norm uses its own batch (a job of one).
public protocol StatReducer: AnyObject {
    /// Every process's `values` (counts may differ), concatenated in process order.
    func allGather(_ values: [Double]) -> [Double]
    /// The element-wise sum over the processes, in place (the same count on every process).
    func allReduceSum(_ values: inout [Double])
}
